"""Sandbox fault modes and endpoints, checked over real HTTP against one server process.

Each mode is laid over exactly one wenmi article (``path=`` its URL), so one sandbox serves all of
them; the assertions are about bytes on the wire, independent of the crawler that must survive them.
"""

from __future__ import annotations

import gzip
import html
import http.client
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from cleaners import decode_html
from sandbox import SandboxProcess
from sandbox.faults import MODES, FaultRule, parse_fault
from sandbox.faults.modes import CHARSET_VARIANTS
from sandbox.hooks import Request
from sandbox.sites import make_site
from tests.harness.client import Client

SITE = make_site("wenmi")
PLAIN = 0  # article index served without any fault
BY_MODE = {mode: k + 3 for k, mode in enumerate(
    ["burst", "reset", "gzip-truncated", "big-body", "binary", "non-html", "nul", "broken-html", "offsite",
     "redirect-loop", "slow"])}
CHARSETS = {name: 14 + k for k, name in enumerate(sorted(CHARSET_VARIANTS))}
OPTIONS = {"burst": "status=429,retry_after=7,times=2", "big-body": "mb=200", "slow": "seconds=0.3"}


def _path(index: int) -> str:
    return SITE.article_path(index)


def _normal(index: int) -> bytes:
    """What the page is without faults."""
    return SITE.answer(Request("wenmi", "GET", _path(index))).body


def _specs() -> list[str]:
    specs = [f"{mode}@wenmi:path=^{re.escape(_path(i))}$" + (f",{OPTIONS[mode]}" if mode in OPTIONS else "")
             for mode, i in BY_MODE.items()]
    specs += [f"charset@wenmi:path=^{re.escape(_path(i))}$,as={name}" for name, i in CHARSETS.items()]
    return [*specs, "calendar@fanwen", "session-id@wendang", "crawl-delay@sucai:seconds=2"]


@pytest.fixture(scope="module")
def faulty() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=["wenmi", "fanwen", "wendang", "sucai"], faults=_specs()) as sb:
        yield sb


@pytest.fixture
def client() -> Iterator[Client]:
    c = Client()
    yield c
    c.close()


def _raw(sb: SandboxProcess, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(urlsplit(sb.urls["wenmi"]).netloc, timeout=10)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def test_specs_parse_and_reject_clearly() -> None:
    rule = parse_fault("burst@wenmi:status=429,retry_after=@5,times=2,every=3")
    assert (rule.mode, rule.site, rule.status, rule.retry_after, rule.times, rule.every) == \
        ("burst", "wenmi", 429, "@5", 2, 3)
    assert parse_fault("charset:as=big5").charset == "big5" and parse_fault("calendar").kind == "list"
    for bad, words in [("melt@wenmi", "unknown fault mode"), ("burst:color=red", "bad fault option"),
                       ("burst:times=two", "must be a number"), ("burst:kind=page", "kind must be"),
                       ("charset:as=ebcdic", "charset variant"), ("WAT!", "bad fault spec")]:
        with pytest.raises(ValueError, match=words):
            parse_fault(bad)
    assert set(MODES) >= {"slow", "reset", "gzip-truncated", "burst", "redirect-loop", "calendar", "big-body",
                          "binary", "charset"}


def test_selection_is_deterministic_and_spares_robots() -> None:
    rule = FaultRule("burst", site="wenmi", every=3)
    hit = [i for i in range(SITE.count) if rule.hits(SITE, _path(i))]
    assert 0 < len(hit) < SITE.count and hit == [i for i in range(SITE.count) if rule.hits(SITE, _path(i))]
    assert not rule.hits(SITE, "/robots.txt") and not FaultRule("burst", kind="any").hits(SITE, "/robots.txt")
    assert not FaultRule("burst", site="fanwen").hits(SITE, _path(0))


def test_untouched_pages_stay_as_they_were(faulty: SandboxProcess, client: Client) -> None:
    page = client.get(faulty.url("wenmi", _path(PLAIN)))
    assert page.status == 200 and page.body == _normal(PLAIN)


def test_burst_fails_a_few_times_with_retry_after_then_serves(faulty: SandboxProcess, client: Client) -> None:
    url = faulty.url("wenmi", _path(BY_MODE["burst"]))
    first, second, third = (client.get(url) for _ in range(3))
    assert (first.status, second.status, third.status) == (429, 429, 200)
    assert first.headers["retry-after"] == "7"
    assert third.body == _normal(BY_MODE["burst"])


def test_reset_cuts_the_body_with_a_tcp_reset(faulty: SandboxProcess) -> None:
    response = _raw(faulty, _path(BY_MODE["reset"]))
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        response.read()


def test_truncated_gzip_has_no_end_marker(faulty: SandboxProcess) -> None:
    response = _raw(faulty, _path(BY_MODE["gzip-truncated"]), {"Accept-Encoding": "gzip"})
    body = response.read()
    assert response.getheader("Content-Encoding") == "gzip" and len(body) == int(response.getheader("Content-Length"))
    inflater = zlib.decompressobj(47)
    inflater.decompress(body)
    assert not inflater.eof
    with pytest.raises(EOFError):
        gzip.decompress(body)


def test_big_body_is_streamed(faulty: SandboxProcess, client: Client) -> None:
    response = _raw(faulty, _path(BY_MODE["big-body"]))
    assert int(response.getheader("Content-Length")) == 200 << 20
    assert len(response.read(1 << 20)) == 1 << 20
    response.close()  # hang up after 1 MB; the server must not care
    assert client.get(faulty.url("wenmi", _path(PLAIN))).status == 200


@pytest.mark.parametrize("mode", ["binary", "non-html", "nul", "broken-html", "offsite", "slow"])
def test_content_modes(faulty: SandboxProcess, client: Client, mode: str) -> None:
    page = client.get(faulty.url("wenmi", _path(BY_MODE[mode])))
    assert page.status == 200
    if mode == "binary":
        assert page.headers["content-type"].startswith("text/html") and decode_html(page.body, "utf-8").text is None
    elif mode == "non-html":
        assert page.headers["content-type"] == "application/pdf" and page.body.startswith(b"%PDF")
    elif mode == "nul":
        assert b"\x00" in page.body
    elif mode == "broken-html":
        assert b"</html>" not in page.body and b"</p>" not in page.body
    elif mode == "offsite":
        assert b"http://offsite.invalid/" in page.body and b"//www.example.com/" in page.body
    else:
        assert page.body == _normal(BY_MODE[mode])


@pytest.mark.parametrize("variant", sorted(CHARSET_VARIANTS))
def test_mislabelled_charsets_still_carry_the_page(faulty: SandboxProcess, client: Client, variant: str) -> None:
    path = _path(CHARSETS[variant])
    page = client.get(faulty.url("wenmi", path))
    codec, header, meta, prefix = CHARSET_VARIANTS[variant]
    assert page.body.startswith(prefix) and (f"charset={header}" in page.headers["content-type"]) == bool(header)
    decoded = decode_html(page.body, header)
    assert decoded.text is not None and "\ufffd" not in decoded.text
    # Big5 lacks many simplified characters: they travel as &#NNNN; references, as browsers send them.
    assert SITE.article(CHARSETS[variant]).meta.title in html.unescape(decoded.text)


def test_redirect_loop(faulty: SandboxProcess) -> None:
    path = _path(BY_MODE["redirect-loop"])
    first = _raw(faulty, path)
    assert first.status == 302 and first.getheader("Location") == f"{path}?loop=1"
    second = _raw(faulty, f"{path}?loop=1")
    assert second.status == 302 and second.getheader("Location") == path


def test_calendar_never_ends(faulty: SandboxProcess, client: Client) -> None:
    home = client.get(faulty.url("fanwen", "/"))
    assert faulty.url("fanwen", "/calendar/2023-06.html") in home.links()
    url, months = faulty.url("fanwen", "/calendar/2023-06.html"), set()
    for _ in range(30):  # thirty months back, and it still goes on
        page = client.get(url)
        months.add(url)
        url = page.links()[0]
    assert len(months) == 30 and url.endswith("/calendar/2020-12.html")
    assert client.get(faulty.url("fanwen", "/calendar/1999-02-31.html")).status == 404


def test_session_ids_are_new_on_every_view(faulty: SandboxProcess, client: Client) -> None:
    first, second = (client.get(faulty.url("wendang", "/")) for _ in range(2))
    ids = {re.search(r"sid=(\w+)", u).group(1) for u in first.links() if "sid=" in u}  # type: ignore[union-attr]
    again = {re.search(r"sid=(\w+)", u).group(1) for u in second.links() if "sid=" in u}  # type: ignore[union-attr]
    assert len(ids) == 1 and len(again) == 1 and ids != again
    followed = client.get(next(u for u in first.links() if "sid=" in u))
    assert followed.status == 200


def test_crawl_delay_in_robots(faulty: SandboxProcess, client: Client) -> None:
    robots = client.get(faulty.url("sucai", "/robots.txt")).body.decode()
    assert robots.startswith("User-agent: *") and "Crawl-delay: 2\n" in robots and "Disallow:" in robots


def test_endpoints(faulty: SandboxProcess, client: Client) -> None:
    assert client.get(faulty.url("wenmi", "/status/503")).status == 503
    redirect = client.get(faulty.url("wenmi", "/redirect?to=http://10.0.0.1/"), follow=False)
    assert redirect.status == 302 and redirect.headers["location"] == "http://10.0.0.1/"
    retry = client.get(faulty.url("wenmi", "/retry-after?n=3&status=503"))
    assert retry.status == 503 and retry.headers["retry-after"] == "3"
    assert "GBK" in client.get(faulty.url("wenmi", "/enc-gbk")).body.decode("gbk")
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        _raw(faulty, "/drop").read()
    with pytest.raises(http.client.IncompleteRead):
        _raw(faulty, "/partial").read()


def test_server_cli_rejects_a_bad_fault_spec() -> None:
    proc = subprocess.run([sys.executable, "-m", "sandbox.server", "--port-base", "0", "--fault", "melt@wenmi"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown fault mode 'melt'" in proc.stderr
