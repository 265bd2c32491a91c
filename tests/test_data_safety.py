"""Never lose, fake or silently drop data (issue 23): full and read-only disks, two writers, hostile ids.

The disk-full tests mount a real size-limited tmpfs (root can; the test says why it skips when
mounting is refused) and crawl the real sandbox into it: the crawl must stop at the first failed
write with one line naming the path and the free space, exit non-zero, and ``--resume`` after the
space is freed must give exactly the records of a clean crawl, in an archive that verifies.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from corpus.catalog import Catalog
from crawler.crawllock import CrawlLock, CrawlLockedError
from crawler.options import CrawlOptions, CrawlOptionsError, parse_overrides
from crawler.paths import UnsafeNameError, check_crawl_id, contained
from tests import run_cli
from tests.harness.crawls import exported

HOSTILE_IDS = ["../../x", "a/b", "a\nb", "x" * 300, "..", ".hidden", ""]


@contextmanager
def tmpfs(path: Path, size: str, *, readonly: bool = False) -> Iterator[Path]:
    """A real size-limited file system at ``path`` (unmounted afterwards), or skip saying why."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if readonly else "")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True,
                          text=True, timeout=30)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True, timeout=30, check=True)


def _resize(path: Path, size: str) -> None:
    """Free space the way an operator does: here by growing the file system."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True, timeout=30)


def _crawl(data: Path, origin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data), f"--origin=wenmi={origin}",
                   "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0", *extra, timeout=300)


def _stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("speechcrawl: error:")]


def _clean_wenmi(clean_crawl: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["text"] for r in clean_crawl["records"] if r["site"] == "wenmi"}


# -- 4. hostile crawl ids ---------------------------------------------------------------------------

@pytest.mark.parametrize("crawl_id", HOSTILE_IDS)
def test_unsafe_crawl_ids_are_refused(crawl_id: str) -> None:
    with pytest.raises(UnsafeNameError):
        check_crawl_id(crawl_id)
    if crawl_id:
        with pytest.raises(CrawlOptionsError, match="--crawl-id"):
            CrawlOptions(crawl_id=crawl_id)
        with pytest.raises(CrawlOptionsError, match="SPEECHCRAWL_CRAWL_ID"):
            parse_overrides([f"SPEECHCRAWL_CRAWL_ID={crawl_id}"])


def test_safe_crawl_ids_pass() -> None:
    for crawl_id in ["20260101T000000000Z", "nightly-2026.01_a", "x" * 100]:
        assert check_crawl_id(crawl_id) == crawl_id


def test_paths_built_from_names_must_stay_inside(tmp_path: Path) -> None:
    assert contained(tmp_path, tmp_path / "reports" / "a.json") == tmp_path / "reports" / "a.json"
    with pytest.raises(UnsafeNameError, match="outside"):
        contained(tmp_path / "reports", tmp_path / "reports" / "../../x.json")
    (tmp_path / "link").symlink_to("/etc")
    with pytest.raises(UnsafeNameError, match="outside"):
        contained(tmp_path, tmp_path / "link" / "passwd")


def test_a_crawl_with_a_hostile_id_starts_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for args in (["--crawl-id", "../../x"],):
        proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data),
                       "--origin=wenmi=http://127.0.0.1:9", *args, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert len(_stderr_lines(proc)) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "not a safe name" in proc.stderr
    assert list(tmp_path.iterdir()) == []


# -- 2. one writer per data dir and site ------------------------------------------------------------

def test_a_second_crawl_of_a_locked_site_refuses_with_the_holders_pid(tmp_path: Path) -> None:
    with CrawlLock(tmp_path, "wenmi"):
        proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(tmp_path),
                       "--origin=wenmi=http://127.0.0.1:9", timeout=120)
        assert proc.returncode == 1
        assert _stderr_lines(proc) == [f"speechcrawl: error: another crawl of wenmi (pid {os.getpid()}) is writing "
                                       f"to {tmp_path}; one crawl per site and data directory"], proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (tmp_path / "warc").exists() or list((tmp_path / "warc").rglob("*.warc.gz*")) == []
        assert not (tmp_path / "catalog.sqlite").exists()


def _hold_lock(data: str, started: Any, stop: Any) -> None:
    with CrawlLock(Path(data), "wenmi"):
        started.set()
        stop.wait(30)


def test_the_lock_is_per_process_and_released_when_the_holder_ends(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    started, stop = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path), started, stop))
    holder.start()
    try:
        assert started.wait(30)
        with pytest.raises(CrawlLockedError, match=f"pid {holder.pid}"):
            CrawlLock(tmp_path, "wenmi").acquire()
        with CrawlLock(tmp_path, "other"):  # another site is another lock
            pass
    finally:
        stop.set()
        holder.join(30)
    with CrawlLock(tmp_path, "wenmi") as lock, CrawlLock(tmp_path, "wenmi"):  # taken twice in one process
        assert lock.path.read_text().strip() == str(os.getpid())


# -- 3 and 2. catalog migrations and busy writers ---------------------------------------------------

def _open_catalog(path: str, results: Any) -> None:
    try:
        Catalog(path).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong in the child
        results.put(repr(exc))


def test_processes_opening_a_fresh_catalog_at_once_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    outcomes: list[str] = []
    for trial in range(10):
        results = ctx.Queue()
        procs = [ctx.Process(target=_open_catalog, args=(str(tmp_path / f"c{trial}.sqlite"), results))
                 for _ in range(3)]
        for proc in procs:
            proc.start()
        outcomes += [results.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(60)
    assert outcomes == ["ok"] * 30


def _write_records(path: str, worker: int, count: int, results: Any) -> None:
    catalog = Catalog(path)
    try:
        for i in range(count):
            record = {"id": f"w{worker}-{i}", "site": "s", "url": f"http://127.0.0.1/{worker}/{i}",
                      "crawl_id": "c", "fetched_at": "2026-01-01T00:00:00", "text": "x"}
            with catalog.transaction():
                catalog.put_record(record, crawl_id="c", text_sha1=f"{worker}-{i}")
                catalog.add_fetch(crawl_id="c", site="s", url=record["url"], status=200,
                                  fetched_at="2026-01-01T00:00:00")
        results.put("ok")
    except Exception as exc:  # noqa: BLE001
        results.put(repr(exc))
    finally:
        catalog.close()


def test_concurrent_writers_lose_no_record(tmp_path: Path) -> None:
    path = str(tmp_path / "catalog.sqlite")
    Catalog(path).close()
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_write_records, args=(path, w, 150, results)) for w in range(3)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(60)
    assert outcomes == ["ok"] * 3
    catalog = Catalog(path)
    assert catalog.count("records") == 450 and catalog.count("fetches") == 450
    catalog.close()


# -- 1. disk full, read-only data dir -----------------------------------------------------------------

def test_a_full_warc_disk_stops_fetching_and_resume_loses_nothing(sandbox: Any, clean_crawl: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    data = tmp_path / "data"
    with tmpfs(tmp_path / "warc", "100k") as warc:
        args = ("--crawl-id", "warcfull", "-s", f"SPEECHCRAWL_WARC_DIR={warc}")
        proc = _crawl(data, sandbox.urls["wenmi"], *args)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        [line] = _stderr_lines(proc)
        assert f"cannot write {warc}/wenmi/" in line and "No space left on device" in line, line
        assert "Traceback" not in proc.stderr, proc.stderr
        catalog = Catalog(data / "catalog.sqlite")
        fetched = len(catalog.fetched_urls("warcfull"))
        [crawl] = catalog.crawls()
        catalog.close()
        assert crawl["status"] == "write_failed"
        # Stopped at the first failed write: far fewer pages than the site has, each fetch row archived.
        assert 0 < fetched < 24
        catalog = Catalog(data / "catalog.sqlite")
        stored = {r["url"] for r in catalog.iter_records()}
        assert {f["kind"] for f in catalog.failures()} <= {"not_archived"}  # in flight when the write failed
        redirects = catalog.conn.execute("SELECT COUNT(*) FROM fetches WHERE status BETWEEN 300 AND 399").fetchone()[0]
        catalog.close()
        assert stored, "nothing stored before the disk filled: the resume check below would prove nothing"
        _resize(warc, "8m")
        proc = _crawl(data, sandbox.urls["wenmi"], *args, "--resume")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert {r["id"]: r["text"] for r in exported(data)} == _clean_wenmi(clean_crawl)
        catalog = Catalog(data / "catalog.sqlite")
        assert catalog.failures() == []
        urls = catalog.fetched_urls("warcfull")
        catalog.close()
        # Item 7: the known-URL re-crawl asked for every stored document again. Now none is, except one reached
        # through a redirect (its link's URL is not the document's; the redirect is followed below the filter).
        assert len([url for url in stored if urls.count(url) > 1]) <= redirects
        proc = run_cli("archive", "verify", str(warc), timeout=120)
        assert proc.returncode == 0, proc.stdout


def test_a_read_only_data_dir_fails_in_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "1m", readonly=True) as data:
        proc = _crawl(data, "http://127.0.0.1:9")
        assert proc.returncode == 1
        [line] = _stderr_lines(proc)
        assert line.startswith(f"speechcrawl: error: cannot write {data}: Read-only file system (")
        assert line.endswith(" free)") and "Traceback" not in proc.stderr, proc.stderr


# -- 11. redirects out of http(s), start URLs normalised ----------------------------------------------

@pytest.mark.slow
def test_redirects_to_other_schemes_are_refused_and_start_urls_normalised(sandbox: Any, tmp_path: Path) -> None:
    origins = list(sandbox.urls.values())[:4]
    targets = ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/1"]
    starts = [f"{origin}/redirect?to={quote(target, safe='')}" for origin, target in zip(origins, targets,
                                                                                          strict=False)]
    dotted = f"{origins[3]}/a/../../../etc/passwd"
    proc = run_cli("crawl", *starts, dotted, "--no-progress", "--allow-private", "--data", str(tmp_path),
                   "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0", timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    catalog = Catalog(tmp_path / "catalog.sqlite")
    failures = {f["url"]: (f["kind"], f["reason"]) for f in catalog.failures()}
    fetched = catalog.fetched_urls()
    catalog.close()
    for start, target in zip(starts, targets, strict=True):
        kind, reason = failures[start]
        assert kind == "refused_scheme" and target in reason and "302" not in reason, failures
    assert f"{origins[3]}/etc/passwd" in fetched and not [url for url in fetched if ".." in url]


# -- 10. links taken from one page are bounded -------------------------------------------------------------

def test_links_followed_from_one_page_are_bounded_and_the_excess_counted() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from spiders.loader import spider_class
    from spiders.profiles import generic_profile
    from tests import spider_crawler

    crawler = spider_crawler({"SPEECHCRAWL_MAX_LINKS_PER_PAGE": 100})
    spider = spider_class(generic_profile("http://127.0.0.1:9/")).from_crawler(crawler)
    produced = 0

    def requests() -> Iterator[Request]:
        nonlocal produced
        for i in range(5000):
            produced += 1
            yield Request(f"http://127.0.0.1:9/p/{i}.html")

    followed = list(spider._bounded("http://127.0.0.1:9/", requests()))
    assert [r.url for r in followed] == [f"http://127.0.0.1:9/p/{i}.html" for i in range(100)]
    assert produced == 5000 and crawler.stats.get_value("speechcrawl/spider/links_over_limit") == 4900
    # From a real page: lxml itself stops at the limit, the rest is counted.
    body = "".join(f'<a href="/q/{i}.html">{i}</a>' for i in range(5000))
    page = HtmlResponse("http://127.0.0.1:9/", body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")
    urls = [r.url for r in spider._follow(page, page, page.url)]
    assert urls == [f"http://127.0.0.1:9/q/{i}.html" for i in range(100)]
    assert crawler.stats.get_value("speechcrawl/spider/links_over_limit") == 4900 * 2


SPEECH = "".join(f"<p>同志们，今天我们召开全市工作会议，第{i}段讲话内容很重要，要认真贯彻落实。</p>" for i in range(8))
DEEP_LINES = 5_000
"""An unclosed ``<font>`` on every line: deeper than libxml2's 2048, which kept only the first lines."""


def _article(body: str) -> str:
    return (f"<html><head><title>讲话</title></head><body><div class='nav'><a href='/list/1.html'>首页</a></div>"
            f"<h1>在全市工作会议上的讲话</h1><div class='article'>{body}</div></body></html>")


def _yields_nothing_site(port_file: Path, links: int) -> None:
    """A loopback site (run in a child process): a list page of ``links`` extra links, an article, an empty
    article, one nested thousands of elements deep, one whose whole markup is a comment, and one whose next
    page is a PDF."""
    import http.server

    outlinks = "".join(f'<a href="/x/{i}.html">{i}</a>' for i in range(150))
    pages = {
        "/list/1.html": "<html><body>" + "".join(f'<a href="/a/{i}.html">文章{i}</a>' for i in range(1, 6))
                        + "".join(f'<a href="/x/{i}.html">{i}</a>' for i in range(links)) + "</body></html>",
        "/a/1.html": _article(SPEECH + outlinks),
        "/a/2.html": _article(""),
        "/a/3.html": _article("".join(f"<font>第{i}行：同志们，要认真学习讲话精神，狠抓落实。\n" for i in range(DEEP_LINES))),
        "/a/4.html": "<!-- " + _article(SPEECH) + " -->",
        "/a/5.html": _article(SPEECH + '<a class="next" href="/a/5_2.html">下一页</a>'),
        "/a/5_2.html": "%PDF-1.4 not a page",
        "/robots.txt": "User-agent: *\nAllow: /\n",
    }

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            pdf = body is not None and body.startswith("%PDF")
            self.send_header("Content-Type", "application/pdf" if pdf else "text/html; charset=utf-8")
            data = (body or "").encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


def test_pages_that_yield_nothing_are_listed_and_links_past_the_bound_counted(tmp_path: Path) -> None:
    """Issue 23, item 10, through a real crawl: every article page that gives no text is a failure row with
    its reason; a deep page gives its whole text; links past SPEECHCRAWL_MAX_LINKS_PER_PAGE are counted."""
    from archive.documents import document_from_block
    from archive.reader import iter_records

    port_file = tmp_path / "port"
    site = multiprocessing.get_context("spawn").Process(target=_yields_nothing_site, args=(port_file, 3000),
                                                        daemon=True)
    site.start()
    try:
        for _ in range(200):  # the child writes its port once it listens (at most 20 s)
            if port_file.exists() and port_file.read_text():
                break
            site.join(0.1)
        origin = f"http://127.0.0.1:{port_file.read_text()}"
        profiles = tmp_path / "profiles"
        profiles.mkdir()
        (profiles / "bare.toml").write_text(
            f'name = "bare"\nstart_urls = ["{origin}/list/1.html"]\n\n[links]\nlist = [\'^/list/\\d+\\.html$\']\n'
            "article = ['^/a/\\d+\\.html$']\n\n[article]\ncontent = [\"div.article\"]\ntitle = [\"h1\"]\n"
            'next_page = ["a.next"]\n',
            encoding="utf-8")
        data = tmp_path / "data"
        proc = run_cli("crawl", "bare", "--profiles", str(profiles), "--sandbox", "--no-progress", "--data", str(data),
                       "-s", "SPEECHCRAWL_MAX_LINKS_PER_PAGE=100")
    finally:
        site.kill()
        site.join(10)
    # Exit 1: the health monitor warns of the empty article pages (half of them), as it should.
    assert proc.returncode == 1 and "3 pages failed" in proc.stdout, proc.stdout + proc.stderr
    catalog = Catalog(data / "catalog.sqlite")
    try:
        failures = {f["url"]: (f["kind"], f["reason"]) for f in catalog.failures()}
        [crawl] = catalog.crawls()
        stats = json.loads(crawl["stats"])
        fetched = set(catalog.fetched_urls())
    finally:
        catalog.close()
    assert failures == {
        f"{origin}/a/2.html": ("empty", "no text after cleaning: no main text found (a list, index or error page?)"),
        f"{origin}/a/4.html": ("unparsable", "no text: libxml2 could not parse it (Document is empty)"),
        # the article ends at a next page that is not HTML, and says so (it was kept without a word)
        f"{origin}/a/5_2.html": ("non_html", "next page of an article answered application/pdf: archived, not cleaned"),
    }
    rebuilt = tmp_path / "rebuilt"
    proc = run_cli("reprocess", "--data", str(data), "-o", str(rebuilt), "--profiles", str(profiles), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    catalog = Catalog(rebuilt / "catalog.sqlite")
    try:  # reprocess lists the same pages (and no list page) from the WARC files alone
        assert {f["url"]: (f["kind"], f["reason"]) for f in catalog.failures()} == {
            url: failure for url, failure in failures.items() if failure[0] != "non_html"}
    finally:
        catalog.close()
    show = run_cli("crawls", "show", crawl["id"], "--data", str(data), timeout=60)
    assert "failed pages: 3" in show.stdout and "no text after cleaning" in show.stdout, show.stdout
    assert stats["speechcrawl/catalog/failures/empty"] == 1 and stats["speechcrawl/catalog/failures/unparsable"] == 1
    # 3005 links on the list page, 100 read; 151 on the article, 100 listed in its metadata record.
    assert stats["speechcrawl/spider/links_over_limit"] == 3005 - 100
    [report] = (data / "reports").glob("bare-*.html")  # and the crawl report says so
    assert '<dd data-key="links_over_limit">2905</dd>' in report.read_text(encoding="utf-8")
    assert {f"{origin}/a/{i}.html" for i in range(1, 6)} <= fetched and not any("/x/" in url for url in fetched)
    records = {r["url"].rsplit("/", 1)[1]: r for r in exported(data)}
    assert sorted(records) == ["1.html", "3.html", "5.html"] and records["5.html"]["pages"] == [f"{origin}/a/5.html"]
    deep = [line for line in records["3.html"]["text"].splitlines() if "行：同志们，要认真学习讲话精神" in line]
    assert [line.split("行")[0] for line in deep] == [f"第{i}" for i in range(DEEP_LINES)]  # before: the first 2,046
    metadata = [document_from_block(r.block, "test") for path in sorted((data / "warc").rglob("*.warc.gz"))
                for r in iter_records(path) if r.rec_type == "metadata"]
    [first] = [doc for doc in metadata if doc.url.endswith("/a/1.html")]
    assert len(first.pages[0].outlinks) == 100 and first.pages[0].outlinks_omitted == 151 - 100
    assert {doc.url: doc.dropped for doc in metadata if doc.dropped} == {  # kept for a better cleaner, with why
        f"{origin}/a/2.html": f"{origin}/a/2.html: no speech after cleaning (no main text found (a list, index or error"
                              " page?))",
        f"{origin}/a/4.html": f"{origin}/a/4.html: no speech after cleaning (unparsable: libxml2 could not parse it"
                              " (Document is empty))"}
