"""CDXJ: SURT keys as pywb computes them, and output identical to ``cdxj-indexer -s``."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archive.cdxj
from archive.cdxj import _general_surt, _line, _timestamp, surt, write_cdxj
from archive.exceptions import ArchiveError
from archive.reader import ArchivedRecord
from archive.warc import HttpExchange, WarcWriter

DATA = Path(__file__).parent / "data" / "warc"
BIN = Path(sys.executable).parent

GOOD_CDXJ = """\
test,site)/a/1.html 20240501083000 {"url": "http://site.test/a/1.html", "mime": "text/html", "status": "200", \
"digest": "sha1:BCW7TKH5ADS53MTA75CGIN2MWCRRGFZN", "length": "466", "offset": "712", "filename": "good.warc.gz"}
test,site)/a/1.html 20240502083000 {"url": "http://site.test/a/1.html", "mime": "warc/revisit", "status": "200", \
"digest": "sha1:BCW7TKH5ADS53MTA75CGIN2MWCRRGFZN", "length": "425", "offset": "3110", "filename": "good.warc.gz"}
test,site)/a/2.html 20240501083000 {"url": "http://site.test/a/2.html", "mime": "text/html", "status": "200", \
"digest": "sha1:IJZLN4FE6IYYJI3BTA2XANYYRPE57QVJ", "length": "482", "offset": "1534", "filename": "good.warc.gz"}
test,site)/robots.txt 20240501083000 {"url": "http://site.test/robots.txt", "mime": "text/plain", "status": "200", \
"digest": "sha1:F444T4LXAO7HFFEBCT56MPBRUWPHZ6WH", "length": "377", "offset": "2375", "filename": "good.warc.gz"}
urn:speechcrawl:doc:site-a:1 20240501083000 {"url": "urn:speechcrawl:doc:site-a:1", "mime": "application/json", \
"digest": "sha1:TSNRRMZXJHGTN463SZ4HOTQ3SYVOVRSM", "length": "329", "offset": "3535", "filename": "good.warc.gz"}
"""

URLS = [
    "http://www.example.com/", "https://WWW2.Example.COM:443/Path/Page.HTML?b=2&a=1&A=3#frag",
    "http://127.0.0.1:8765/site-a/list/1.html", "http://localhost:8080/a//b/./c/../d", "http://site.test/a/1.html?",
    "http://user:pw@site.test/p", "http://site.test/%E8%AE%B2%E8%AF%9D/123.html", "http://site.test/讲话/123.html",
    "http://site.test/search?q=讲话 稿&page=2", "http://site.test/a%2541b", "http://中国.cn/path",
    "http://site.test/p?PHPSESSID=0123456789abcdef0123456789abcdef&x=1", "http://site.test/p?a&b=&c=1",
    "http://www.jingzhou.gov.cn/xwzx/2021/0101/123.shtml", "urn:speechcrawl:doc:site-a:1", "dns:www.example.com",
    "http://site.test/index.php?m=content&c=index&a=show&catid=9&id=52", "http://site.test:8080",
]


@pytest.mark.parametrize(("url", "key"), [
    ("http://www.Example.com/", "com,example)/"),
    ("https://WWW2.Example.COM:443/Path/Page.HTML?b=2&a=1#frag", "com,example)/path/page.html?a=1&b=2"),
    ("http://127.0.0.1:8765/site-a/", "1,0,0,127:8765)/site-a"),
    ("http://site.test/讲话/1.html", "test,site)/%e8%ae%b2%e8%af%9d/1.html"),
    ("http://site.test/a/../b/./c", "test,site)/b/c"),
    ("urn:speechcrawl:doc:1", "urn:speechcrawl:doc:1"),
    ("", "-"),
])
def test_surt_keys(url: str, key: str) -> None:
    assert surt(url) == key


@pytest.mark.parametrize("url", ["http://\x80/", "http://" + "é" * 70 + ".com/", "http://www.\x80\x81.org:8080/A?b=1",
                                 "http://a\u0000b.test/"])
def test_a_host_idna_refuses_gets_the_key_of_its_escaped_bytes(url: str) -> None:
    """As the surt package does; an exception here stopped `archive index` at the record."""
    assert surt(url) == pytest.importorskip("surt").surt(url)


def test_surt_matches_the_surt_package() -> None:
    ia_surt = pytest.importorskip("surt").surt
    rnd = random.Random(3)
    segments = ["a", "B", "%41", "%2F", "%25", "讲话", ".", "..", "", "x y", "a;b", "Index.HTML", "%zz", "+"]
    queries = ["a=1", "B=2", "c", "d=", "q=讲话", "x=%41", "z=%2526", "", "a=0"]
    urls = list(URLS)
    for _ in range(500):
        host = rnd.choice(["site.test", "www.Site.test", "127.0.0.1", "a.test:8080", "a.test:80", "中国.cn"])
        url = f"{rnd.choice(['http', 'https'])}://{host}/" + "/".join(rnd.sample(segments, rnd.randint(0, 4)))
        if rnd.random() < 0.5:
            url += "?" + "&".join(rnd.sample(queries, rnd.randint(0, 3)))
        urls.append(url)
    assert [surt(u) for u in urls] == [ia_surt(u) for u in urls]


def test_good_fixture_index() -> None:
    out = io.StringIO()
    assert write_cdxj([DATA / "good.warc.gz"], out) == 5
    assert out.getvalue() == GOOD_CDXJ


def _crawl(directory: Path) -> list[Path]:
    rnd = random.Random(5)
    with WarcWriter(directory, prefix="site-a", crawl_id="c1", warcinfo={}, max_size=20_000) as w:
        for i in range(40):
            n = i % 13
            body = rnd.randbytes(2000) if n % 4 == 0 else f"<p>第{n}篇</p>".encode() * 50
            w.write_exchange(HttpExchange(
                url=f"http://www.site.test/a/{n}.html?p={i % 2}", method="GET", request_headers=[], request_body=b"",
                protocol="HTTP/1.1", status=404 if n == 7 else 200, reason="",
                response_headers=[("Content-Type", "text/html; charset=gbk")] if n != 5 else [],
                response_body=body, ip_address=None,
                fetched_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i)))
        w.write_metadata("urn:speechcrawl:doc:1", [], {"n": 1})
    return w.files


def test_same_output_as_cdxj_indexer(tmp_path: Path) -> None:
    pytest.importorskip("cdxj_indexer")
    files = _crawl(tmp_path)
    assert len(files) > 2
    ours = tmp_path / "ours.cdxj"
    write_cdxj([tmp_path], ours)
    theirs = subprocess.run([str(BIN / "cdxj-indexer"), "-s", *map(str, files)], capture_output=True, text=True,
                            check=True).stdout
    assert ours.read_text() == theirs
    assert "warc/revisit" in theirs


def test_sorting_spills_to_disk_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _crawl(tmp_path / "w")
    in_memory = io.StringIO()
    write_cdxj([tmp_path / "w"], in_memory)
    monkeypatch.setattr(archive.cdxj, "_SORT_CHUNK", 3)
    spilled = io.StringIO()
    count = write_cdxj([tmp_path / "w"], spilled)
    assert spilled.getvalue() == in_memory.getvalue() and count == in_memory.getvalue().count("\n")
    lines = spilled.getvalue().splitlines()
    assert lines == sorted(lines)


def test_filenames_relative_to_a_root_and_path_output_is_atomic(tmp_path: Path) -> None:
    (tmp_path / "warc" / "site-a").mkdir(parents=True)
    shutil.copy(DATA / "good.warc.gz", tmp_path / "warc" / "site-a" / "good.warc.gz")
    out = tmp_path / "index.cdxj"
    write_cdxj([tmp_path / "warc"], out, dir_root=tmp_path / "warc")
    assert '"filename": "site-a/good.warc.gz"' in out.read_text()
    assert not (tmp_path / "index.cdxj.part").exists()


def test_damaged_records_are_skipped_and_non_chunked_files_refused(tmp_path: Path) -> None:
    out = io.StringIO()
    assert write_cdxj([DATA / "truncated.warc.gz"], out) == 4  # the metadata record was cut off
    with pytest.raises(ArchiveError, match="not record-chunked.*warcio recompress"):
        write_cdxj([DATA / "non-chunked.warc.gz"], io.StringIO())


def _pieces(*choices: str) -> st.SearchStrategy[str]:
    """One of ``choices``, or now and then any short text."""
    return st.one_of(st.sampled_from(choices), st.text(max_size=6))


SESSION_ID = "0123456789abcdef0123456789ABCDEF"
TRICKY_URLS = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", "", " ", "\t", "\n"]),
        _pieces("http", "https", "HTTP", "Https", "urn", "dns", "filedesc", "httpx", "ftp", "a+b.c", "1a", ""),
        st.sampled_from(["://", "://", ":", ":/", ":///", "://http://", "://https://", "//", ""]),
        st.sampled_from(["", "", "user@", "u:p@", "@"]),
        _pieces("site.test", "www.Site.TEST", "WWW2.a.b", "www.", "127.0.0.1", "[::1]", "中国.cn", "a..b", ".a.",
                "%41.test", "http:", "https:", "", "a%2Eb", "a b"),
        st.sampled_from(["", "", ":80", ":443", ":8080", ":0080", ":", ":x", ":80:90", ":٣"]),
        st.lists(_pieces("a", "B", ".", "..", "", "%41", "%2F", "%25", "%zz", "讲话", "x y", ".well-known", "a.b",
                         "Index.HTML", "~u", "a;b", "@", "[", ":", "http:", "+"), max_size=5).map(
            lambda segments: "".join("/" + s for s in segments)),
        st.one_of(st.just(""), st.lists(_pieces(
            "a=1", "B=2", "c", "d=", "", "q=讲话", "x=%41", "z=%2526", "a?b", f"sid={SESSION_ID}",
            f"JSESSIONID={SESSION_ID}", f"phpsessid={SESSION_ID}", "ASPSESSIONIDabcdefgh=abcdefghijklmnopqrstuvwx",
            "CFID=1&CFTOKEN=2", "sid=1", "a=b=c"), max_size=4).map(lambda args: "?" + "&".join(args))),
        st.sampled_from(["", "", "#", "#frag", "#a?b", "#/."]),
        st.sampled_from(["", "", " ", "\r\n"]),
    ))


# Mostly URLs of the shape the shortcut takes, with the characters next to its edges.
NEAR_PLAIN_URLS = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["http://", "https://", "urn:", "URN:", "dns:", "Http://", "http:", "mailto:"]),
        st.sampled_from(["site.test", "WWW.Site.TEST", "www2.a.b", "127.0.0.1", "a..b", ".a.", "wwwx.a", "a!b$c",
                         "", "http:", "a]b", "a\\b"]),
        st.sampled_from(["", "", ":80", ":443", ":8080", ":0080", ":", ":x", ":80:90"]),
        st.lists(st.sampled_from(["a", "B", ".", "..", "", "Index.HTML", "a.b", "~u", "a;b", "@", "[", ":", "\\",
                                  "x=y", ".x", "x.", "!$&'()*+,"]), max_size=4).map(
            lambda segments: "".join("/" + s for s in segments)),
        st.one_of(st.just(""), st.lists(st.sampled_from(
            ["a=1", "B=2", "c", "d=", "", "a?b", f"sid={SESSION_ID}", "Sid=1", "x/y", "a=b=c", "cfid=1&cftoken=2",
             f"jsessionid={SESSION_ID}"]), max_size=3).map(lambda args: "?" + "&".join(args))),
    ))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(NEAR_PLAIN_URLS, TRICKY_URLS, st.text(max_size=30)))
def test_surt_shortcut_gives_what_the_general_steps_give(url: str) -> None:
    assert surt(url) == _general_surt(url)




@pytest.mark.parametrize("url", ["http://www.site.test/a/1.html?p=1&b=2", "https://127.0.0.1:8601/robots.txt",
                                 "http://site.test", "urn:speechcrawl:doc:site-a:1", "dns:www.example.com"])
def test_plain_urls_take_the_shortcut(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    key = surt(url)
    monkeypatch.setattr(archive.cdxj, "_general_surt", None)
    assert surt(url) == key


DIGITS = st.sampled_from("0123456789٣²１")
DATES = st.one_of(
    st.builds("".join, st.lists(st.one_of(DIGITS, st.sampled_from("-T:.Z +")), max_size=24)),
    st.builds(lambda p, s: "".join(p) + s, st.lists(st.one_of(DIGITS, DIGITS, DIGITS, st.sampled_from("-T:")),
                                                     min_size=19, max_size=19).map(
        lambda c: [*c[:4], "-", *c[5:7], "-", *c[8:10], "T", *c[11:13], ":", *c[14:16], ":", *c[17:]]),
        st.sampled_from(["", "Z", ".123456Z", "+08:00", "9"])),
    st.text(max_size=24))


@settings(max_examples=2000, deadline=None)
@given(DATES)
def test_timestamp_without_a_regex_is_the_regex_result(date: str) -> None:
    assert _timestamp(date) == re.sub(r"\D", "", date)[:14].ljust(14, "0")


@settings(max_examples=500, deadline=None)
@given(st.text(), st.text(), st.text(min_size=1), st.text())
def test_line_json_is_what_json_dumps_writes(uri: str, mime: str, digest: str, filename: str) -> None:
    headers = [("WARC-Type", "resource"), ("WARC-Target-URI", uri), ("WARC-Date", "2024-05-01T08:30:00Z"),
               ("Content-Type", mime), ("WARC-Payload-Digest", digest)]
    record = ArchivedRecord(filename, 7, 99, headers, b"x", None, [], b"x")
    line = _line(record, filename, {uri: "key"})  # the JSON, not the key, is under test
    assert line is not None
    document = line.split(" ", 2)[2]
    assert document == json.dumps(json.loads(document))
