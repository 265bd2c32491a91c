"""RedirectLoopMiddleware: a chain that comes back to a visited URL fails at once, with the hops named."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from corpus.catalog import Catalog
from crawler.downloadermiddlewares.redirect import RedirectLoopError, RedirectLoopMiddleware
from tests import run_cli, spider_crawler


def _mw() -> RedirectLoopMiddleware:
    return build_from_crawler(RedirectLoopMiddleware, spider_crawler())


def _redirect(request: Request, location: str, status: int = 302) -> Response:
    return Response(request.url, status=status, headers={"Location": location}, request=request)


def test_back_to_a_visited_url_is_a_loop() -> None:
    mw = _mw()
    hop = Request("http://h/a.html?loop=1", meta={"redirect_urls": ["http://h/a.html"]})
    with pytest.raises(RedirectLoopError, match=r"a\.html -> http://h/a\.html\?loop=1 -> http://h/a\.html"):
        mw.process_response(hop, _redirect(hop, "/a.html#top"))  # fragments do not make it new
    assert RedirectLoopError.kind == "redirect_loop"
    assert mw.crawler.stats.get_value("speechcrawl/redirect/loop") == 1


def test_self_redirect_and_default_port_spelling() -> None:
    mw = _mw()
    request = Request("http://h/a.html")
    with pytest.raises(RedirectLoopError):
        mw.process_response(request, _redirect(request, "http://H:80/a.html", 301))


def test_a_new_target_passes_through() -> None:
    mw = _mw()
    request = Request("http://h/old.html", meta={"redirect_urls": ["http://h/older.html"]})
    response = _redirect(request, "/new.html", 301)
    assert mw.process_response(request, response) is response
    ok = Response("http://h/new.html", status=200, request=request)
    assert mw.process_response(request, ok) is ok


def test_off_with_redirects() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(RedirectLoopMiddleware, spider_crawler({"REDIRECT_ENABLED": False}))


@pytest.mark.slow
def test_a_chain_longer_than_the_limit_is_a_recorded_failure(sandbox: Any, tmp_path: Path) -> None:
    url = "/"
    for _ in range(12):  # twelve distinct hops: no loop, just too many (REDIRECT_MAX_TIMES is 10)
        url = "/redirect?to=" + quote(url, safe="")
    start = sandbox.url("wenmi", url)
    proc = run_cli("crawl", start, "--sandbox", "--no-progress", "--data", str(tmp_path), timeout=120)
    assert proc.returncode == 1, proc.stderr  # its only seed failed: the crawl got nothing
    catalog = Catalog(tmp_path / "catalog.sqlite")
    failures = catalog.failures()
    catalog.close()
    assert [(f["url"], f["kind"]) for f in failures] == [(start, "redirect_limit")]
    assert f"seed failed: {start}: " in proc.stdout
    assert "too many redirects" in failures[0]["reason"]
