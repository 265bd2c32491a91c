"""``speechcrawl crawls`` and ``crawls show ID``, in-process against a catalog written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.catalog import Catalog
from crawler.cli import main


@pytest.fixture
def data(tmp_path: Path) -> Path:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for crawl_id, site, started in [("c1", "wenmi", "2026-01-01T02:00:00"), ("c1", "ribao", "2026-01-01T02:00:00"),
                                    ("c2", "wenmi", "2026-01-02T02:00:00")]:
        catalog.start_crawl(crawl_id, site, started)
    catalog.finish_crawl("c1", "wenmi", "2026-01-01T02:10:00", "finished", {})
    catalog.finish_crawl("c1", "ribao", "2026-01-01T02:10:00", "closespider_timeout", {})
    for k in range(3):
        catalog.add_fetch(crawl_id="c1", site="wenmi", url=f"http://w/{k}", status=200, fetched_at="t")
    catalog.put_record({"id": "r1", "site": "wenmi", "url": "http://w/1", "fetched_at": "t", "text": "讲话", "part": None},
                       crawl_id="c1", text_sha1="x")
    catalog.add_failure(crawl_id="c1", site="wenmi", url="http://w/2", status=503, at="t",
                        reason="HTTP 503 Service Unavailable (after 3 retries)")
    catalog.add_failure(crawl_id="c1", site="wenmi", url="http://w/3", status=None, at="t", kind="timeout",
                        reason="no complete answer within the timeout (after 3 retries)")
    catalog.close()
    return tmp_path


def test_list_newest_first_with_counts(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawls", "--data", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["crawl", "site", "status", "started", "pages", "new", "changed", "unchanged",
                                "gone", "failed", "MB", "seconds"]
    assert [line.split() for line in lines[1:]] == [
        ["c2", "wenmi", "running", "2026-01-02T02:00:00", "0", "0", "0", "0", "0", "0", "0.0", "-"],
        ["c1", "ribao", "closespider_timeout", "2026-01-01T02:00:00", "0", "0", "0", "0", "0", "0", "0.0", "600"],
        ["c1", "wenmi", "finished", "2026-01-01T02:00:00", "3", "1", "0", "0", "0", "2", "0.0", "600"],
    ]


def test_show_lists_every_failed_page_with_status_and_reason(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawls", "show", "c1", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "crawl c1"
    assert out.endswith("failed pages: 2\n"
                        " 503  http               http://w/2\n"
                        "      HTTP 503 Service Unavailable (after 3 retries)\n"
                        "   -  timeout            http://w/3\n"
                        "      no complete answer within the timeout (after 3 retries)\n")
    assert main(["crawls", "--data", str(data), "show", "c2"]) == 0
    assert "failed pages: 0" in capsys.readouterr().out


def test_unknown_crawl_and_missing_catalog(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawls", "show", "nope", "--data", str(data)]) == 1
    assert "no crawl 'nope'" in capsys.readouterr().err
    assert main(["crawls", "--data", str(tmp_path / "empty")]) == 1
    assert "run `speechcrawl crawl` first" in capsys.readouterr().err
