"""Sandbox time: epoch 1 adds, revises and removes articles; one site answers conditional requests."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from sandbox import SandboxProcess
from sandbox.epochs import ADDED_PER_EPOCH, REVISION
from sandbox.gold import gold_records


@pytest.fixture
def sandbox2() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=["ribao", "fanwen"]) as sb:
        yield sb


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.mark.parametrize("site", ["ribao", "fanwen"])
def test_epoch_one_adds_revises_and_removes(sandbox2: SandboxProcess, site: str) -> None:
    base = sandbox2.urls[site]
    before = {g["url"]: g for g in gold_records(site, base)}
    pages = {url: _get(url)[1] for url in before}
    sandbox2.set_epoch(1)
    after = {g["url"]: g for g in gold_records(site, base, epoch=1)}
    added, removed = set(after) - set(before), set(before) - set(after)
    revised = {u for u in set(before) & set(after) if before[u]["text"] != after[u]["text"]}
    assert len(added) == ADDED_PER_EPOCH and len(removed) == 3 and len(revised) == 3
    for url in added:
        assert _get(url)[0] == 200
    for url in removed:
        assert _get(url)[0] in (404, 410)
    for url in revised:
        status, body, _ = _get(url)
        assert status == 200 and body != pages[url]
        assert REVISION in after[url]["text"] and REVISION not in before[url]["text"]
    for url in set(before) & set(after) - revised:
        assert _get(url)[1] == pages[url], "an untouched article must stay byte-identical"


def test_only_the_conditional_site_answers_304(sandbox2: SandboxProcess) -> None:
    article = gold_records("ribao", sandbox2.urls["ribao"])[0]["url"]
    status, body, headers = _get(article)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert _get(article, {"If-None-Match": headers["ETag"]})[:2] == (304, b"")
    assert _get(article, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert _get(article, {"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]})[0] == 200
    other = gold_records("fanwen", sandbox2.urls["fanwen"])[0]["url"]
    status, _, headers = _get(other)
    assert status == 200 and "ETag" not in headers and "Last-Modified" not in headers
    assert _get(other, {"If-Modified-Since": "Sun, 01 Jan 2040 00:00:00 GMT"})[0] == 200


def test_admin_endpoint(sandbox2: SandboxProcess) -> None:
    url = sandbox2.url("ribao", "/_sandbox/epoch")
    assert _get(url)[1] == b"0\n"
    assert _get(url + "?set=x")[0] == 400
    assert _get(url + "?set=2")[1] == b"2\n"
    assert len(gold_records("ribao", sandbox2.urls["ribao"], epoch=2)) == 20 + 2 * ADDED_PER_EPOCH - 3
