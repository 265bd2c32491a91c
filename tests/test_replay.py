"""``speechcrawl replay``: real pywb on loopback serves every archived article byte for byte."""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from archive.reader import RevisitResolver, iter_records, read_record_at
from sandbox import SandboxProcess
from tests import CLI, ArchivedCrawl, run_cli

pytestmark = pytest.mark.slow


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The replay URL the command prints once pywb is bound (bounded wait, like the sandbox's)."""
    assert proc.stdout is not None
    deadline, buf = time.monotonic() + timeout, b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            assert left > 0, "replay printed no URL in time"
            if sel.select(left):
                chunk = os.read(proc.stdout.fileno(), 4096)
                assert chunk, f"replay exited with {proc.wait(timeout=10)}"
                buf += chunk
    return buf.split(b"\n", 1)[0].decode()


@pytest.fixture(scope="module")
def replay(archived_crawl: ArchivedCrawl) -> Iterator[str]:
    with _replaying(archived_crawl.data) as url:
        yield url


@contextlib.contextmanager
def _replaying(data: Path) -> Iterator[str]:
    """``speechcrawl replay --data DATA`` running; its collection URL."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*CLI, "replay", "--data", str(data), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=err)
        try:
            url = _first_line(proc, 60)
            assert url.startswith("http://127.0.0.1:") and url.endswith("/speechcrawl/")
            yield url
        finally:
            proc.terminate()  # the process we started; it stops the pywb child it started
            proc.wait(timeout=30)
            assert proc.stdout is not None
            proc.stdout.close()


def _get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), dict(response.headers)


def _timestamp(warc_date: str) -> str:
    return "".join(c for c in warc_date if c.isdigit())[:14]


def test_every_article_replays_byte_for_byte(replay: str, archived_crawl: ArchivedCrawl) -> None:
    warc = archived_crawl.data / "warc"
    pages = {(r["site"], p["url"], p["warc_filename"], p["warc_offset"])
             for r in archived_crawl.records for p in r["provenance"]}
    assert len(pages) >= 100
    resolver = {site: RevisitResolver(warc / site) for site in {s for s, *_ in pages}}
    for site, url, filename, offset in sorted(pages):
        record = read_record_at(warc / site / filename, offset)
        payload = (resolver[site].original(record) if record.rec_type == "revisit" else record).payload
        body, headers = _get(f"{replay}{_timestamp(record.date)}id_/{url}")
        assert body == payload, url
        when = datetime.fromisoformat(record.date)
        assert headers["Memento-Datetime"] == format_datetime(when.replace(microsecond=0), usegmt=True)


def test_revisits_replay_as_their_original(replay: str, archived_crawl: ArchivedCrawl) -> None:
    checked = 0
    for path in sorted((archived_crawl.data / "warc").rglob("*.warc.gz")):
        resolver = RevisitResolver(path.parent)
        for record in iter_records(path):
            if record.rec_type == "revisit" and record.http_status == 200:
                body, _ = _get(f"{replay}{_timestamp(record.date)}id_/{record.target_uri}")
                assert body == resolver.original(record).payload
                checked += 1
    assert checked >= 5, "the crawl should revisit each site's start page"


def test_a_recrawl_replays_its_revisits_without_request_records(sandbox: SandboxProcess, tmp_path: Path) -> None:
    """sucai crawled twice, nothing changed: the second crawl's revisits go without request records, naming the
    Referer instead (docs/archive.md), and each replays as the payload of the first crawl's response."""
    for _ in range(2):
        proc = run_cli("crawl", "sucai", "--sandbox", "--no-progress", "--data", str(tmp_path),
                       f"--origin=sucai={sandbox.urls['sucai']}")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    second = sorted((tmp_path / "warc" / "sucai").glob("*.warc.gz"))[-1]
    lean = [r for r in iter_records(second)  # a 301 replays as a redirect: the 200s are what is compared
            if r.rec_type == "revisit" and r.http_status == 200 and r.header("WARC-Request-Referer")]
    assert len(lean) >= 20 and all(r.header("WARC-Concurrent-To") is None for r in lean)
    resolver = RevisitResolver(second.parent)
    with _replaying(tmp_path) as replay:
        for record in lean:
            body, headers = _get(f"{replay}{_timestamp(record.date)}id_/{record.target_uri}")
            assert body == resolver.original(record).payload, record.target_uri
            assert headers["Memento-Datetime"] == format_datetime(
                datetime.fromisoformat(record.date).replace(microsecond=0), usegmt=True)


def test_an_unarchived_url_is_not_found(replay: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        _get(f"{replay}2020id_/http://never.archived.test/")
    assert excinfo.value.code == 404


def test_replay_refuses_a_directory_without_warc(tmp_path: Path) -> None:
    proc = run_cli("replay", "--data", str(tmp_path), "--port", "0", timeout=60)
    assert proc.returncode == 1 and "no WARC directory" in proc.stderr


def test_a_busy_port_is_a_clear_error(archived_crawl: ArchivedCrawl) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("replay", "--data", str(archived_crawl.data), "--port", str(port), timeout=120)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr
