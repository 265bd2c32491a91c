"""The re-check ledger (SPEECHCRAWL_WARC_RECHECK_LEDGER): 304 re-checks as JSON lines of metadata records.

Real crawls of the sandbox twice (as tests/test_recrawl.py, the second with the ledger on), the files
read back with warcio; a real crawl killed (SIGKILL) between two ledger records and resumed; the catalog
rebuilt from the WARC files equal to the one the crawl wrote; ``archive verify`` and ``archive index``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reader import read_record_at
from archive.verify import check_ledgers, verify_paths
from archive.warc import LEDGER_CONTENT_TYPE, LEDGER_URI_PREFIX, HttpExchange, WarcWriter
from corpus.history import crawl_counts
from sandbox import SandboxProcess
from sandbox.gold import gold_records
from tests import crawl_paused_and_killed, run_cli, wait_for_marker
from tests.test_recrawl import SITES, _events, _expected, crawl, two_crawls

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LEDGER = 5
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_FETCH_COLUMNS = ("crawl_id", "site", "url", "status", "fetched_at", "content_type", "warc_filename", "warc_offset",
                  "warc_length", "warc_record_id", "payload_digest", "revisit_of", "warc_date")


@pytest.fixture(scope="module")
def recrawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield from two_crawls(tmp_path_factory.mktemp("ledger"), "-s", f"SPEECHCRAWL_WARC_RECHECK_LEDGER={LEDGER}")


def _records(path: Path) -> list[tuple[str, dict[str, str], bytes, int]]:
    """(type, headers, block, offset) of every record, as warcio reads them."""
    out = []
    with path.open("rb") as f:
        iterator = ArchiveIterator(f)
        for record in iterator:
            headers = dict(record.rec_headers.headers)
            out.append((record.rec_type, headers, record.content_stream().read(), iterator.get_record_offset()))
    return out


def _ledgers(data: Path, crawl_id: str, site: str) -> list[tuple[Path, int, list[dict[str, Any]]]]:
    """(file, offset, entries) of each ledger record of the crawl, read with warcio."""
    out = []
    for path in sorted((data / "warc" / site).glob(f"*{crawl_id}*.warc.gz")):
        for kind, headers, block, offset in _records(path):
            if kind == "metadata" and headers["Content-Type"] == LEDGER_CONTENT_TYPE:
                assert headers["WARC-Target-URI"] == LEDGER_URI_PREFIX + crawl_id
                out.append((path, offset, [json.loads(line) for line in block.decode("utf-8").splitlines()]))
    return out


def _fetches(catalog: Path, crawl_id: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(catalog)
    rows = conn.execute(f"SELECT {', '.join(_FETCH_COLUMNS)} FROM fetches WHERE crawl_id = ?", (crawl_id,)).fetchall()
    conn.close()
    return sorted(rows, key=repr)


@pytest.mark.parametrize("site", SITES)
def test_the_history_is_the_same_as_without_the_ledger(recrawl: dict[str, Any], site: str) -> None:
    expected = _expected(recrawl["gold0"][site], recrawl["gold1"][site])
    assert _events(recrawl["data"], recrawl["second"], site) == expected


def test_a_304_is_a_line_of_a_ledger_record_not_a_revisit(recrawl: dict[str, Any]) -> None:
    data, second = recrawl["data"], recrawl["second"]
    for path in sorted((data / "warc" / "ribao").glob(f"*{second}*.warc.gz")):
        assert not [h for kind, h, _, _ in _records(path) if h.get("WARC-Profile") == NOT_MODIFIED], path
    ledgers = _ledgers(data, second, "ribao")
    entries = [e for _, _, found in ledgers for e in found]
    # N at a time, the rest at close.
    assert len(ledgers) >= 2 and all(len(found) == LEDGER for _, _, found in ledgers[:-1])
    assert 0 < len(ledgers[-1][2]) <= LEDGER
    unchanged = _expected(recrawl["gold0"]["ribao"], recrawl["gold1"]["ribao"])["unchanged"]
    assert unchanged <= {e["uri"] for e in entries}
    conn = sqlite3.connect(data / "catalog.sqlite")
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT warc_record_id, url, status, warc_filename, warc_offset, warc_length, payload_digest, revisit_of"
        " FROM fetches WHERE crawl_id = ? AND site = 'ribao' AND status = 304", (second,))}
    conn.close()
    assert len(rows) == len(entries)
    # The page the link was found on, or none: a start URL, or a known URL the re-crawl asks for again
    # (which of the two requests for an article the duplicate filter keeps depends on timing).
    fetched = {r[2] for r in _fetches(data / "catalog.sqlite", second) if r[1] == "ribao"}
    assert all(e["referer"] is None or e["referer"] in fetched for e in entries)
    by_id = {r["id"]: (path, offset, r) for path, offset, found in ledgers for r in found}
    for record_id, (url, _, filename, offset, length, digest, revisit_of) in rows.items():
        path, at, entry = by_id[record_id]  # every pointer names a ledger record that is written
        assert (filename, offset) == (path.name, at) and entry["uri"] == url
        assert (entry["payload_digest"], entry["refers_to"]) == (digest, revisit_of)
        assert entry["status_line"] == "HTTP/1.1 304 Not Modified" and entry["ip"] == "127.0.0.1"
        assert {k.lower() for k, _ in entry["headers"]} >= {"etag"}
        stored = read_record_at(path, offset)
        assert stored.length == length and stored.rec_type == "metadata"
    # The capture each re-check confirms is a response of the first crawl, with that payload.
    captures = {r[9]: r for r in _fetches(data / "catalog.sqlite", recrawl["first"]) if r[11] is None}
    for url, *_, digest, revisit_of in rows.values():
        capture = captures[revisit_of]
        assert (capture[2], capture[10]) == (url, digest)
        assert read_record_at(data / "warc" / "ribao" / capture[6], capture[7]).rec_type == "response"


def test_the_archive_verifies_and_indexes_with_one_line_a_ledger(recrawl: dict[str, Any], tmp_path: Path) -> None:
    warc = recrawl["data"] / "warc"
    reports = list(verify_paths([warc]))
    check_ledgers(reports)
    assert all(not r.faults for r in reports)
    checked = run_cli("archive", "verify", str(warc))
    assert checked.returncode == 0 and checked.stdout.splitlines()[-1].endswith(" 0 with faults"), checked.stdout
    ledgers = _ledgers(recrawl["data"], recrawl["second"], "ribao")
    index = tmp_path / "index.cdxj"
    proc = run_cli("archive", "index", str(warc / "ribao"), "--out", str(index))
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in index.read_text().splitlines() if LEDGER_URI_PREFIX in line]
    assert len(lines) == len(ledgers)
    assert {(json.loads(line.split(" ", 2)[2])["filename"], int(json.loads(line.split(" ", 2)[2])["offset"]))
            for line in lines} == {(path.name, offset) for path, offset, _ in ledgers}


def test_reprocess_rebuilds_the_catalog_the_crawl_wrote(recrawl: dict[str, Any], tmp_path: Path) -> None:
    from corpus.rebuild import reprocess

    data = recrawl["data"]
    reprocess(data, tmp_path / "again")
    for crawl_id in (recrawl["first"], recrawl["second"]):
        assert _fetches(tmp_path / "again" / "catalog.sqlite", crawl_id) == _fetches(data / "catalog.sqlite", crawl_id)
    counts = []
    for catalog in (data / "catalog.sqlite", tmp_path / "again" / "catalog.sqlite"):
        conn = sqlite3.connect(catalog)
        counts.append({site: {k: n for k, n in c.items() if k != "gone"}
                       for site, c in crawl_counts(conn, recrawl["second"]).items()})
        events = conn.execute("SELECT url, id, version, event FROM record_events WHERE crawl_id = ? AND event"
                              " = 'unchanged' ORDER BY url, id", (recrawl["second"],)).fetchall()
        counts.append({"unchanged events": events})
        conn.close()
    assert counts[0] == counts[2] and counts[1] == counts[3]
    unchanged = _expected(recrawl["gold0"]["ribao"], recrawl["gold1"]["ribao"])["unchanged"]
    assert counts[2]["ribao"]["unchanged"] == len(unchanged)
    for name in ("live", "again"):
        proc = run_cli("export", "--data", str(data if name == "live" else tmp_path / "again"), "--out",
                       str(tmp_path / f"{name}.jsonl"), "--dedup", "none", "--versions", "all")
        assert proc.returncode == 0, proc.stderr
    live, again = ([{**json.loads(line), "gone": None} for line in (tmp_path / f"{n}.jsonl").read_text().splitlines()]
                   for n in ("live", "again"))
    assert again == live


def _exchange(url: str, status: int, body: bytes = b"", confirms: tuple[str, str, str] | None = None) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("Host", "s.test")], request_body=b"",
                        protocol="HTTP/1.1", status=status, reason="OK" if status == 200 else "Not Modified",
                        response_headers=[("ETag", '"1"')], response_body=body, ip_address="127.0.0.1",
                        fetched_at=datetime.now(UTC), not_modified_of=confirms)


def test_verify_names_a_recheck_whose_capture_is_missing(tmp_path: Path) -> None:
    site = tmp_path / "s"
    with WarcWriter(site, prefix="s", crawl_id="c1", warcinfo={}, recheck_ledger=10) as writer:
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        writer.write_exchange(_exchange("http://s.test/a", 304, confirms=(full.record_id, full.date,
                                                                           full.payload_digest)))
        writer.write_exchange(_exchange("http://s.test/b", 304, confirms=("<urn:uuid:nowhere>", full.date,
                                                                           full.payload_digest)))
    reports = list(verify_paths([site]))
    assert all(r.ok for r in reports)  # each file alone is sound: the block digest holds
    check_ledgers(reports)
    (fault,) = [f for r in reports for f in r.faults]
    assert "<urn:uuid:nowhere>" in fault.message
    proc = run_cli("archive", "verify", str(site))
    assert proc.returncode == 1 and "<urn:uuid:nowhere>" in proc.stdout


def test_a_metadata_record_naming_a_held_recheck_writes_the_ledger_first(tmp_path: Path) -> None:
    site = tmp_path / "s"
    with WarcWriter(site, prefix="s", crawl_id="c1", warcinfo={}, recheck_ledger=10) as writer:
        heard: list[Any] = []
        writer.ledger_listeners.append(heard.extend)
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        _, held = writer.write_exchange(_exchange("http://s.test/a", 304, confirms=(full.record_id, full.date,
                                                                                     full.payload_digest)))
        assert held.held and writer.is_held(held.record_id) and not heard
        document = writer.write_metadata("urn:speechcrawl:document:http://s.test/a", [held.record_id], {"a": 1})
        (placed,) = heard
        assert not writer.is_held(held.record_id) and placed.record_id == held.record_id and placed.line == 0
        assert placed.filename == document.filename and placed.offset < document.offset
    assert read_record_at(site / placed.filename, placed.offset).header("Content-Type") == LEDGER_CONTENT_TYPE


def test_a_ledger_line_names_the_referer_the_request_sent(tmp_path: Path) -> None:
    site = tmp_path / "s"
    with WarcWriter(site, prefix="s", crawl_id="c1", warcinfo={}, recheck_ledger=10) as writer:
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        confirms = (full.record_id, full.date, full.payload_digest)
        linked = replace(_exchange("http://s.test/a", 304, confirms=confirms),
                         request_headers=[("Host", "s.test"), ("Referer", "http://s.test/list")])
        writer.write_exchange(linked)
        writer.write_exchange(_exchange("http://s.test/a", 304, confirms=confirms))
    (path,) = site.glob("*.warc.gz")
    (ledger,) = [b for kind, h, b, _ in _records(path) if h.get("Content-Type") == LEDGER_CONTENT_TYPE]
    assert [json.loads(line)["referer"] for line in ledger.decode("utf-8").splitlines()] == ["http://s.test/list", None]


def test_off_by_default_a_304_is_a_revisit(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, prefix="s", crawl_id="c1", warcinfo={}) as writer:
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        _, revisit = writer.write_exchange(_exchange("http://s.test/a", 304, confirms=(full.record_id, full.date,
                                                                                        full.payload_digest)))
    assert not revisit.held and revisit.line is None
    assert read_record_at(tmp_path / revisit.filename, revisit.offset).rec_type == "revisit"


def test_a_crawl_killed_between_two_ledger_records_loses_nothing_on_resume(tmp_path: Path) -> None:
    """SIGKILL with two ledger records written and two re-checks held: the catalog has neither
    (no fetch, no event), --resume fetches them again, and the rebuilt catalog equals the crawl's."""
    data, marker = tmp_path / "data", tmp_path / "paused"
    ledger = ["-s", "SPEECHCRAWL_WARC_RECHECK_LEDGER=4"]
    with SandboxProcess(sites=["ribao"]) as sandbox:
        gold = {g["url"] for g in gold_records("ribao", sandbox.urls["ribao"])}
        first = crawl(data, sandbox, sites=("ribao",))
        # One request at a time, 0.3 s apart: the writer stops 0.15 s after the second held re-check, when
        # the held pages' documents have reached the pipelines and no further response has come.
        crawl_paused_and_killed(
            ["crawl", "ribao", "--sandbox", "--no-progress", "--data", str(data),
             f"--origin=ribao={sandbox.urls['ribao']}", *ledger, "-s", "SPEECHCRAWL_WARC_WRITER=tests.LedgerPausingWarcWriter",
             "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "AUTOTHROTTLE_ENABLED=False"],
            ("SPEECHCRAWL_TEST_LEDGER_PAUSE", f"ribao:2:2:{marker}"), marker, ROOT)
        held = set(marker.read_text().split())
        assert held and held <= gold, held  # articles, whose documents wait for the ledger
        conn = sqlite3.connect(data / "catalog.sqlite")
        (second,) = [c for (c,) in conn.execute("SELECT id FROM crawls WHERE status != 'finished'")]
        fetched = {u for (u,) in conn.execute("SELECT url FROM fetches WHERE crawl_id = ? AND status = 304", (second,))}
        seen = {u for (u,) in conn.execute("SELECT url FROM record_events WHERE crawl_id = ?", (second,))}
        conn.close()
        # Two ledger records (8 re-checks) are in the catalog, the three held ones are not, nor their documents.
        assert len(fetched) >= 8 and not held & fetched and not held & seen
        repaired = run_cli("archive", "repair", str(data / "warc"))
        assert repaired.returncode == 0, repaired.stdout + repaired.stderr
        written = {e["uri"] for _, _, found in _ledgers(data, second, "ribao") for e in found}
        assert fetched <= written and not held & written  # WARC is the truth: the catalog says no more

        resumed = run_cli("crawl", "ribao", "--sandbox", "--no-progress", "--data", str(data), "--resume",
                          f"--origin=ribao={sandbox.urls['ribao']}", *ledger)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert resumed.stdout.startswith(f"resuming crawl {second}\n")
    conn = sqlite3.connect(data / "catalog.sqlite")
    fetched = {u for (u,) in conn.execute("SELECT url FROM fetches WHERE crawl_id = ? AND status = 304", (second,))}
    conn.close()
    assert held <= fetched
    assert _events(data, second, "ribao")["unchanged"] == gold
    assert _events(data, first, "ribao")["new"] == gold
    checked = run_cli("archive", "verify", str(data / "warc"))
    assert checked.returncode == 0, checked.stdout

    from corpus.rebuild import reprocess

    reprocess(data, tmp_path / "again")
    for crawl_id in (first, second):
        assert _fetches(tmp_path / "again" / "catalog.sqlite", crawl_id) == _fetches(data / "catalog.sqlite", crawl_id)
    assert _events(tmp_path / "again", second, "ribao") == _events(data, second, "ribao")


def test_documents_cleaned_again_name_rechecks_already_written(tmp_path: Path) -> None:
    """Another profile (its hash is in the cleaning key) makes the re-crawl clean every unchanged document
    again: each has its held re-checks written first, so its metadata record names lines that come before
    it, and reprocess (with that profile) rebuilds the same catalog."""
    from archive.documents import DOCUMENT_URI_PREFIX
    from corpus.rebuild import reprocess

    data, profiles = tmp_path / "data", tmp_path / "profiles"
    profiles.mkdir()
    bundled = (ROOT / "spiders" / "profiles" / "ribao.toml").read_text(encoding="utf-8")
    (profiles / "ribao.toml").write_text("# the same rules, another file\n" + bundled, encoding="utf-8")
    with SandboxProcess(sites=["ribao"]) as sandbox:
        gold = {g["url"] for g in gold_records("ribao", sandbox.urls["ribao"])}
        first = crawl(data, sandbox, "--profiles", str(profiles), sites=("ribao",))
        (profiles / "ribao.toml").write_text("# changed\n" + bundled, encoding="utf-8")
        second = crawl(data, sandbox, "--profiles", str(profiles), "-s", "SPEECHCRAWL_WARC_RECHECK_LEDGER=1000",
                       sites=("ribao",))
    seen: dict[str, tuple[str, int]] = {}
    documents = 0
    for path in sorted((data / "warc" / "ribao").glob(f"*{second}*.warc.gz")):
        for kind, headers, block, offset in _records(path):
            if kind == "metadata" and headers["Content-Type"] == LEDGER_CONTENT_TYPE:
                seen.update({json.loads(line)["id"]: (path.name, offset) for line in block.decode().splitlines()})
            elif kind == "metadata" and headers["WARC-Target-URI"].startswith(DOCUMENT_URI_PREFIX):
                pages = json.loads(block)["pages"]
                assert all(p["record_id"] in seen for p in pages), "a document names a re-check not yet written"
                documents += 1
    assert documents >= len(gold) and len(seen) >= len(gold)
    assert _events(data, second, "ribao")["unchanged"] == gold
    reprocess(data, tmp_path / "again", profiles_dir=profiles)
    for crawl_id in (first, second):
        assert _fetches(tmp_path / "again" / "catalog.sqlite", crawl_id) == _fetches(data / "catalog.sqlite", crawl_id)
    assert _events(tmp_path / "again", second, "ribao") == _events(data, second, "ribao")


def test_held_rechecks_are_written_into_the_file_a_rotation_finishes(tmp_path: Path) -> None:
    site = tmp_path / "warc" / "s"
    heard: list[Any] = []
    with WarcWriter(site, prefix="s", crawl_id="c1", warcinfo={}, recheck_ledger=100, max_size=2000) as writer:
        writer.ledger_listeners.append(heard.extend)
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        confirms = (full.record_id, full.date, full.payload_digest)
        held = [writer.write_exchange(_exchange("http://s.test/a", 304, confirms=confirms))[1] for _ in range(3)]
        assert all(p.held for p in held) and not heard and len(writer.files) == 0
        writer.write_exchange(_exchange("http://s.test/b", 200, os.urandom(3000)))  # past max_size
        writer.write_exchange(_exchange("http://s.test/c", 200, b"<p>c</p>"))  # rotates first
        assert len(writer.files) == 1 and [p.record_id for p in heard] == [p.record_id for p in held]
    assert {p.filename for p in heard} == {writer.files[0].name} and [p.line for p in heard] == [0, 1, 2]
    (ledger,) = _ledgers(tmp_path, "c1", "s")
    assert ledger[0] == writer.files[0] and [e["id"] for e in ledger[2]] == [p.record_id for p in held]


def test_replay_shows_a_rechecked_page_as_its_last_full_capture(recrawl: dict[str, Any]) -> None:
    """The ledger is not a capture: pywb serves the response a re-check confirms, with that response's date."""
    from email.utils import format_datetime

    from tests.test_replay import _get, _replaying, _timestamp

    data = recrawl["data"]
    entries = [e for _, _, found in _ledgers(data, recrawl["second"], "ribao") for e in found]
    unchanged = _expected(recrawl["gold0"]["ribao"], recrawl["gold1"]["ribao"])["unchanged"]
    conn = sqlite3.connect(data / "catalog.sqlite")
    captures = {r[0]: r[1:] for r in conn.execute(
        "SELECT warc_record_id, warc_filename, warc_offset FROM fetches WHERE revisit_of IS NULL")}
    conn.close()
    checked = 0
    with _replaying(data) as replay:
        for entry in entries:
            if entry["uri"] not in unchanged:
                continue
            filename, offset = captures[entry["refers_to"]]
            capture = read_record_at(data / "warc" / "ribao" / filename, offset)
            body, headers = _get(f"{replay}{_timestamp(entry['date'])}id_/{entry['uri']}")
            assert body == capture.payload, entry["uri"]
            assert headers["Memento-Datetime"] == format_datetime(
                datetime.fromisoformat(capture.date).replace(microsecond=0), usegmt=True)
            checked += 1
    assert checked == len(unchanged)


def test_a_distributed_recrawl_hands_rechecks_over_once_their_ledger_is_written(redis_server: Any,
                                                                                  tmp_path: Path) -> None:
    """A worker sharing --data with the writer re-crawls with the ledger on: the writer's catalog gets each
    re-check (pointing into the worker's ledger records) and each unchanged document, and rebuilds equal."""
    from corpus.rebuild import reprocess
    from tests.harness.distributed import finish, seed, start_ingest, start_worker, wait_for_workers

    data = tmp_path / "data"
    with SandboxProcess(sites=["ribao"], articles=6, port_base=0) as sandbox:
        gold = {g["url"] for g in gold_records("ribao", sandbox.urls["ribao"], 6)}
        first = crawl(data, sandbox, sites=("ribao",))
        worker = start_worker(redis_server.url, data, "w1")
        wait_for_workers(redis_server.url, ["w1"], [worker])
        seed(redis_server.url, "r2", ["ribao"], sandbox.urls, data, "SPEECHCRAWL_WARC_RECHECK_LEDGER=4",
             "CONCURRENT_REQUESTS=2")
        ingest = start_ingest(redis_server.url, data, "r2")
        assert finish([ingest, worker]) == [0, 0]
    ledgers = _ledgers(data, "r2", "ribao")
    entries = {e["id"]: (path.name, offset) for path, offset, found in ledgers for e in found}
    assert len(ledgers) >= 2 and all("-r2-w1-" in path.name for path, _, _ in ledgers)
    conn = sqlite3.connect(data / "catalog.sqlite")
    rows = conn.execute("SELECT warc_record_id, warc_filename, warc_offset FROM fetches WHERE crawl_id = 'r2'"
                        " AND status = 304").fetchall()
    conn.close()
    assert len(rows) == len(entries) and all(entries[rid] == (name, offset) for rid, name, offset in rows)
    assert _events(data, "r2", "ribao")["unchanged"] == gold
    reprocess(data, tmp_path / "again")
    for crawl_id in (first, "r2"):
        assert _fetches(tmp_path / "again" / "catalog.sqlite", crawl_id) == _fetches(data / "catalog.sqlite", crawl_id)
    assert _events(tmp_path / "again", "r2", "ribao") == _events(data, "r2", "ribao")


def _leased_urls(redis_url: str, crawl_id: str, site: str) -> set[str]:
    """The URLs of the requests leased (and not acknowledged) in ``site`` of the crawl, whoever holds them."""
    import pickle

    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        encoded = client.hvals(f"speechcrawl:{crawl_id}:{site}:leased")
    finally:
        client.close()
    return {pickle.loads(data)["url"] for data in encoded}  # scrapy-redis's serializer (picklecompat)


def test_a_worker_killed_while_holding_rechecks_has_them_fetched_again(redis_server: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A distributed re-crawl's only worker SIGKILLed after one ledger record, holding two re-checks whose pages
    are settled: the held re-checks are in neither the WARC files nor the catalog, their leases are not
    acknowledged, and a second worker fetches them again once the leases expire; every unchanged page has its
    recorded 304 and its one unchanged event, the archive verifies, and reprocess rebuilds the same catalog."""
    import redis

    from corpus.rebuild import reprocess
    from crawler.resume import repair_worker_files
    from tests.harness.distributed import finish, seed, start_ingest, start_worker, wait_for_workers

    data, marker = tmp_path / "data", tmp_path / "paused"
    with SandboxProcess(sites=["ribao"], articles=8, port_base=0) as sandbox:
        gold = {g["url"] for g in gold_records("ribao", sandbox.urls["ribao"], 8)}
        first = crawl(data, sandbox, sites=("ribao",))
        # One request at a time, 0.3 s apart (as the single-process kill test): the writer stops 0.15 s after
        # its second held re-check, when the held pages are settled and no further response has come.  Short
        # leases: the killed worker's pages and its crawl-wide slot of the host are free again within seconds.
        seed(redis_server.url, "r2", ["ribao"], sandbox.urls, data, "SPEECHCRAWL_WARC_RECHECK_LEDGER=4",
             "SPEECHCRAWL_WARC_WRITER=tests.LedgerPausingWarcWriter", "CONCURRENT_REQUESTS=1",
             "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_DELAY=0.3", "AUTOTHROTTLE_ENABLED=False",
             "SPEECHCRAWL_LEASE_SECONDS=2", "SPEECHCRAWL_POLITENESS_LEASE=2")
        monkeypatch.setenv("SPEECHCRAWL_TEST_LEDGER_PAUSE", f"ribao:1:2:{marker}")
        victim = start_worker(redis_server.url, data, "w1")
        monkeypatch.delenv("SPEECHCRAWL_TEST_LEDGER_PAUSE")  # the second worker's writer never pauses
        ingest = start_ingest(redis_server.url, data, "r2")
        try:
            wait_for_marker(marker, victim)
        finally:
            os.kill(victim.pid, signal.SIGKILL)  # the worker we started, by its PID
            victim.wait(30)
        held = set(marker.read_text().split())
        assert len(held) == 2 and held <= gold, held  # articles, whose documents wait for the ledger
        # Nothing the killed worker held was acknowledged: its leases wait to expire.
        assert held <= _leased_urls(redis_server.url, "r2", "ribao")
        client = redis.Redis.from_url(redis_server.url)
        deadline = time.monotonic() + 30
        try:  # the writer has applied every entry the worker handed over
            while client.xlen("speechcrawl:r2:records"):
                assert ingest.poll() is None and time.monotonic() < deadline, "the writer did not drain the stream"
                time.sleep(0.05)
        finally:
            client.close()
        conn = sqlite3.connect(data / "catalog.sqlite")
        fetched = {u for (u,) in conn.execute("SELECT url FROM fetches WHERE crawl_id = 'r2' AND status = 304")}
        seen = {u for (u,) in conn.execute("SELECT url FROM record_events WHERE crawl_id = 'r2'")}
        conn.close()
        assert len(fetched) >= 4 and not held & fetched and not held & seen  # one ledger record's, not the held

        survivor = start_worker(redis_server.url, data, "w2", idle=1.0)
        wait_for_workers(redis_server.url, ["w2"], [survivor])
        assert finish([ingest, survivor]) == [0, 0]
    # What the killed worker does first when started again under its id: cut the file it was writing.
    repair_worker_files(data / "warc", "w1")
    ledgers = _ledgers(data, "r2", "ribao")
    written = {e["uri"] for path, _, found in ledgers if "-r2-w1-" in path.name for e in found}
    assert not held & written  # lost with the worker: the survivor's ledger has them
    entries = {e["id"]: (path.name, offset, e["uri"]) for path, offset, found in ledgers for e in found}
    conn = sqlite3.connect(data / "catalog.sqlite")
    rows = conn.execute("SELECT warc_record_id, warc_filename, warc_offset, url FROM fetches WHERE crawl_id = 'r2'"
                        " AND status = 304").fetchall()
    unchanged = conn.execute("SELECT url, COUNT(*) FROM record_events WHERE crawl_id = 'r2' AND event = 'unchanged'"
                             " GROUP BY url").fetchall()
    conn.close()
    # Every re-check the catalog has points at its line of a written ledger record, and every written line is there.
    assert sorted(entries[rid] for rid, *_ in rows) == sorted((name, offset, url) for _, name, offset, url in rows)
    assert len(rows) == len(entries)
    survivor_rechecks = {url for rid, _, _, url in rows if "-r2-w2-" in entries[rid][0]}
    assert held <= survivor_rechecks
    assert dict(unchanged) == dict.fromkeys(gold, 1)
    assert _events(data, "r2", "ribao")["unchanged"] == gold
    checked = run_cli("archive", "verify", str(data / "warc"))
    assert checked.returncode == 0, checked.stdout
    assert not list((data / "warc").rglob("*.open"))

    reprocess(data, tmp_path / "again")
    for crawl_id in (first, "r2"):
        assert _fetches(tmp_path / "again" / "catalog.sqlite", crawl_id) == _fetches(data / "catalog.sqlite", crawl_id)
    assert _events(tmp_path / "again", "r2", "ribao") == _events(data, "r2", "ribao")


def test_a_ledger_record_that_cannot_be_written_stops_the_crawl_and_resume_fetches_its_rechecks(
        tmp_path: Path) -> None:
    """The disk fills as the second ledger record is written: the crawl stops (write_failed), its re-checks are in
    neither the WARC files nor the catalog, and --resume fetches them again."""
    data, marker = tmp_path / "data", tmp_path / "lost"
    ledger = ("-s", "SPEECHCRAWL_WARC_RECHECK_LEDGER=4")
    with SandboxProcess(sites=["ribao"]) as sandbox:
        gold = {g["url"] for g in gold_records("ribao", sandbox.urls["ribao"])}
        first = crawl(data, sandbox, sites=("ribao",))
        os.environ["SPEECHCRAWL_TEST_LEDGER_FAIL"] = f"ribao:2:{marker}"
        try:
            failed = run_cli("crawl", "ribao", "--sandbox", "--no-progress", "--data", str(data), *ledger,
                             f"--origin=ribao={sandbox.urls['ribao']}", "-s",
                             "SPEECHCRAWL_WARC_WRITER=tests.LedgerFailingWarcWriter")
        finally:
            del os.environ["SPEECHCRAWL_TEST_LEDGER_FAIL"]
        assert failed.returncode == 1 and "No space left on device" in failed.stderr, failed.stderr
        lost = set(marker.read_text().split())
        assert len(lost) == 4
        conn = sqlite3.connect(data / "catalog.sqlite")
        ((second, status),) = conn.execute("SELECT id, status FROM crawls WHERE id != ?", (first,)).fetchall()
        fetched = {u for (u,) in conn.execute("SELECT url FROM fetches WHERE crawl_id = ?", (second,))}
        seen = {u for (u,) in conn.execute("SELECT url FROM record_events WHERE crawl_id = ?", (second,))}
        conn.close()
        written = {e["uri"] for _, _, found in _ledgers(data, second, "ribao") for e in found}
        assert status == "write_failed" and len(written) >= 4
        assert not lost & written and not lost & fetched and not lost & seen
        resumed = crawl(data, sandbox, "--resume", *ledger, sites=("ribao",))
        assert resumed == second
    assert _events(data, second, "ribao")["unchanged"] == gold
    reprocess_dir = tmp_path / "again"
    from corpus.rebuild import reprocess

    reprocess(data, reprocess_dir)
    assert _fetches(reprocess_dir / "catalog.sqlite", second) == _fetches(data / "catalog.sqlite", second)
    assert _events(reprocess_dir, second, "ribao") == _events(data, second, "ribao")


def test_a_recheck_lost_with_a_failed_ledger_stays_held_and_no_record_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.exceptions import ArchiveError
    from tests import LedgerFailingWarcWriter

    monkeypatch.setenv("SPEECHCRAWL_TEST_LEDGER_FAIL", f"s:1:{tmp_path / 'lost'}")
    with LedgerFailingWarcWriter(tmp_path / "s", prefix="s", crawl_id="c1", warcinfo={}, recheck_ledger=2) as writer:
        _, full = writer.write_exchange(_exchange("http://s.test/a", 200, b"<p>a</p>"))
        confirms = (full.record_id, full.date, full.payload_digest)
        _, held = writer.write_exchange(_exchange("http://s.test/a", 304, confirms=confirms))
        with pytest.raises(OSError, match="No space left"):
            writer.write_exchange(_exchange("http://s.test/a", 304, confirms=confirms))
        assert writer.is_held(held.record_id) and writer.flush_ledger() == []
        with pytest.raises(ArchiveError, match="never written"):
            writer.write_metadata("urn:speechcrawl:document:http://s.test/a", [held.record_id], {})
        _, later = writer.write_exchange(_exchange("http://s.test/a", 304, confirms=confirms))
    assert not writer.is_held(later.record_id)  # written at close: the writer goes on after a failed ledger
    (path,) = writer.files
    lines = [json.loads(line)["id"] for kind, headers, block, _ in _records(path)
             if kind == "metadata" and headers["Content-Type"] == LEDGER_CONTENT_TYPE for line in block.splitlines()]
    assert lines == [later.record_id]


def test_a_negative_ledger_size_fails_loudly() -> None:
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler

    from crawler.addon import SpeechcrawlAddon
    from crawler.downloadermiddlewares.warc import WarcRecorderMiddleware

    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "SPEECHCRAWL_WARC_RECHECK_LEDGER": -1})
    with pytest.raises(ValueError, match="SPEECHCRAWL_WARC_RECHECK_LEDGER must be 0"):
        build_from_crawler(WarcRecorderMiddleware, crawler)
