"""``--json`` prints the shapes docs/cli.md documents, from the shared sandbox crawl; ``export -o -`` is stdout.

Run in process on the session's crawl (``archived_crawl``), which every command here only reads:
the catalog's checksum is the same after them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from tests import ArchivedCrawl

pytestmark = pytest.mark.slow

CRAWL_KEYS = {"id", "site", "started_at", "finished_at", "status", "fetches", "records", "new", "changed",
              "unchanged", "gone", "failures", "bytes", "seconds", "workers"}


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_shapes_of_the_tables(archived_crawl: ArchivedCrawl, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(archived_crawl.data)
    catalog = archived_crawl.data / "catalog.sqlite"
    before = _sha(catalog)

    crawls = _json(["crawls", "--data", data, "--json"], capsys)
    assert {c["site"] for c in crawls} == {"fanwen", "ribao", "sucai", "wendang", "wenmi"}
    assert all(set(c) == CRAWL_KEYS for c in crawls)
    assert sum(c["records"] for c in crawls) > 0 and all(c["status"] == "finished" for c in crawls)

    show = _json(["crawls", "show", crawls[0]["id"], "--data", data, "--json"], capsys)
    assert set(show) == {"id", "sites", "gone", "failed"} and show["id"] == crawls[0]["id"]
    assert sorted(show["sites"], key=lambda s: s["site"]) == sorted(crawls, key=lambda s: s["site"])
    assert all(set(f) == {"site", "url", "status", "kind", "reason", "at"} for f in show["failed"])

    sites = _json(["site", "list", "--data", data, "--json"], capsys)
    assert [s["name"] for s in sites] == ["fanwen", "ribao", "sucai", "wendang", "wenmi"]
    assert all(set(s) == {"name", "domains", "last_crawl", "records", "health", "fixture"} for s in sites)
    assert all(s["last_crawl"].startswith(crawls[0]["id"]) for s in sites)

    stats = _json(["stats", "--data", data, "--json", "--dedup", "none"], capsys)
    assert list(stats)[-1] == "total" and stats["total"]["records"] == len(archived_crawl.records)

    verify = _json(["archive", "verify", str(archived_crawl.data / "warc"), "--json", "--no-progress"], capsys)
    assert set(verify) == {"files", "records", "ok", "with_faults"} and verify["with_faults"] == 0
    assert verify["ok"] == len(verify["files"]) > 0
    assert all(set(f) == {"path", "size", "records", "ok", "unfinished", "faults"} for f in verify["files"])
    assert _sha(catalog) == before


def test_schedule_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "add", "wenmi", "--every", "1d", "--at", "03:00", "--data", str(tmp_path), "--",
                 "--sandbox", "--max-pages", "5"]) == 0
    capsys.readouterr()
    [schedule] = _json(["schedule", "list", "--data", str(tmp_path), "--json"], capsys)
    assert set(schedule) == {"id", "site", "every", "at", "cron", "zone", "crawl_args", "scrapyd", "next_run_at",
                             "last_run"}
    assert (schedule["site"], schedule["every"], schedule["at"], schedule["cron"], schedule["crawl_args"],
            schedule["last_run"]) == ("wenmi", "1d", "03:00", None, ["--sandbox", "--max-pages", "5"], None)
    assert schedule["zone"]  # the local zone the slots follow


def test_export_to_stdout(archived_crawl: ArchivedCrawl, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--data", str(archived_crawl.data), "-o", "-", "--dedup", "none", "--site", "wenmi"]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    expected = [r for r in archived_crawl.records if r["site"] == "wenmi"]
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected) and records
    assert f"{len(records)} records written to (stdout)" in captured.err
    assert list(tmp_path.iterdir()) == []  # no file named "-"
