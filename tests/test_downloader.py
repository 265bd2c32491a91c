"""CONCURRENT_REQUESTS_PER_DOMAIN holds without a download delay, as the host sees it (crawler.downloader).

A real crawl of one sandbox site whose every answer takes 0.2 s, so requests overlap at the server; the
server logs when each request arrived, when it was answered, and the client port it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import run_cli
from tests.harness.server_log import LoggedSandbox, most_in_flight

pytestmark = pytest.mark.slow

SITE = "ribao"
LIMIT = 3


@pytest.fixture(scope="module")
def logged() -> Iterator[LoggedSandbox]:
    with LoggedSandbox([SITE], articles=12, faults=[f"slow@{SITE}:kind=any,seconds=0.2"]) as sb:
        yield sb


def _crawl(sb: LoggedSandbox, data: Path, *args: str) -> None:
    sb.clear()
    proc = run_cli("crawl", SITE, "--sandbox", "--no-progress", "--data", str(data), f"--origin={SITE}={sb.urls[SITE]}",
                   "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_host_never_has_more_requests_at_once_than_the_limit(logged: LoggedSandbox, tmp_path: Path) -> None:
    _crawl(logged, tmp_path / "data")
    hits = logged.hits(SITE)
    assert len(hits) > 3 * LIMIT
    assert most_in_flight(hits) == LIMIT  # the limit is used, and never passed
    # Every connection is kept and reused: none is opened beyond the limit.
    assert len({h.port for h in hits}) <= LIMIT


def test_scrapys_own_downloader_passes_the_limit(logged: LoggedSandbox, tmp_path: Path) -> None:
    """The control: what crawler.downloader exists for.  When this fails, Scrapy holds the limit itself
    and SlotLimitedDownloader can go."""
    _crawl(logged, tmp_path / "data", "-s", "DOWNLOADER=scrapy.core.downloader.Downloader")
    hits = logged.hits(SITE)
    assert most_in_flight(hits) > LIMIT
    assert len({h.port for h in hits}) > LIMIT
