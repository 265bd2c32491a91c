"""The sandbox sites, tested over real HTTP against the server process (fixture ``sandbox``).

Each test checks one promise the crawler and cleaner tests rely on: robots.txt and its linked
traps, list pagination reaching every gold article through the profile patterns, the 301, GBK,
the paginated sucai seed, compilation part counts, gold fidelity (every leak string really is on
the page) and byte-for-byte determinism across processes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sandbox import SITES, SandboxProcess
from sandbox.gold import gold_records, robots_disallowed
from sandbox.process import SandboxError
from sandbox.sites import make_site
from tests.harness.client import Client, page_text, path_query, throughput

PROFILES = Path(__file__).resolve().parents[1] / "spiders" / "profiles"


@pytest.fixture(scope="module")
def client() -> Any:
    c = Client()
    yield c
    c.close()


@pytest.fixture(scope="module")
def gold(sandbox: SandboxProcess) -> dict[str, list[dict[str, Any]]]:
    return {site: gold_records(site, sandbox.urls[site]) for site in SITES}


def _profile(site: str) -> dict[str, Any]:
    return tomllib.loads((PROFILES / f"{site}.toml").read_text(encoding="utf-8"))


def _bigram_recall(gold_text: str, page: str) -> float:
    want = {gold_text[k:k + 2] for k in range(len(gold_text) - 1)} - {"\n"}
    have = {page[k:k + 2] for k in range(len(page) - 1)}
    return len(want & have) / max(1, len(want))


@pytest.mark.parametrize("site", SITES)
def test_robots_txt_lists_the_disallowed_prefixes(sandbox: SandboxProcess, client: Client, site: str) -> None:
    page = client.get(sandbox.url(site, "/robots.txt"))
    assert page.status == 200 and page.headers["content-type"].startswith("text/plain")
    rules = re.findall(r"^Disallow: (\S+)$", page.body.decode(), re.M)
    assert rules == robots_disallowed(site) and rules


def test_unknown_paths_are_404(sandbox: SandboxProcess, client: Client) -> None:
    for site in SITES:
        assert client.get(sandbox.url(site, "/no/such/page.html")).status == 404


@pytest.mark.parametrize("site", SITES)
def test_profile_crawl_reaches_every_gold_article(sandbox: SandboxProcess, client: Client,
                                                  gold: dict[str, list[dict[str, Any]]], site: str) -> None:
    """Follow list pagination with the profile's patterns; the articles found are exactly the gold ones."""
    profile = _profile(site)
    is_list = [re.compile(p) for p in profile["links"]["list"]]
    is_article = [re.compile(p) for p in profile["links"]["article"]]
    disallowed = robots_disallowed(site)
    start = sandbox.url(site, urlsplit(profile["start_urls"][0]).path)
    todo, seen_lists, found, blocked = [start], set(), set(), set()
    while todo:
        url = todo.pop()
        if url in seen_lists:
            continue
        seen_lists.add(url)
        page = client.get(url)
        assert page.status == 200, url
        for link in page.links():
            if urlsplit(link).netloc != urlsplit(start).netloc:
                continue
            pq = path_query(link)
            if urlsplit(link).path.startswith(tuple(disallowed)):
                blocked.add(link)
            elif any(p.search(pq) for p in is_list):
                todo.append(link)
            elif any(p.search(pq) for p in is_article):
                found.add(client.get(link).url)  # follows the 301 of the legacy link
    expected = {r["url"] for r in gold[site]}
    assert len(seen_lists) >= 2
    assert found == expected
    if site in ("sucai", "ribao"):  # their article patterns also match robots-disallowed copies
        assert any(any(p.search(path_query(u)) for p in is_article) for u in blocked)


@pytest.mark.parametrize("site", SITES)
def test_gold_records_match_the_pages(sandbox: SandboxProcess, client: Client,
                                      gold: dict[str, list[dict[str, Any]]], site: str) -> None:
    by_url: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in gold[site]:
        by_url[record["url"]].append(record)
    assert len(by_url) >= 20
    for url, records in by_url.items():
        pages = [client.get(u) for u in records[0]["pages"]]
        assert all(p.status == 200 and p.url == u for p, u in zip(pages, records[0]["pages"], strict=True))
        text = " ".join(p.text for p in pages)
        for record in records:
            assert record["title"] in pages[0].text, (url, record["title"])
            assert record["text"] and _bigram_recall(record["text"], text) > 0.9, (url, record["part"])
            missing = [s for s in record["must_not_contain"] if s not in text]
            assert not missing, (url, missing)
            assert not any(s in record["text"] for s in record["must_not_contain"])


def test_wenmi_is_served_as_gbk(sandbox: SandboxProcess, client: Client, gold: dict[str, Any]) -> None:
    seed = next(r for r in gold["wenmi"] if r["speaker"] == "王小平")
    page = client.get(seed["url"])
    assert "charset=gbk" in page.headers["content-type"]
    assert b'<meta charset="gbk"' in page.body
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    html = page.body.decode("gbk")
    assert seed["title"] in html and "当前位置:" in html


@pytest.mark.parametrize("site", SITES)
def test_legacy_url_answers_301_to_the_gold_url(sandbox: SandboxProcess, client: Client,
                                                gold: dict[str, list[dict[str, Any]]], site: str) -> None:
    s = make_site(site)
    page = client.get(sandbox.url(site, s.old_path(s.redirect_index)), follow=False)
    assert page.status == 301
    target = sandbox.url(site, page.headers["location"])
    assert target == sandbox.url(site, s.article_path(s.redirect_index))
    assert target in {r["url"] for r in gold[site]}


def test_robots_disallowed_paths_are_linked(sandbox: SandboxProcess, client: Client, gold: dict[str, Any]) -> None:
    for site in SITES:
        first_list = client.get(sandbox.url(site, urlsplit(_profile(site)["start_urls"][0]).path))
        article = client.get(gold[site][0]["url"])
        paths = {urlsplit(u).path for u in first_list.links() + article.links()}
        for prefix in robots_disallowed(site):
            assert any(p.startswith(prefix) for p in paths), (site, prefix)


def test_sucai_seed_spans_its_pages_in_order(client: Client, gold: dict[str, Any]) -> None:
    seed = next(r for r in gold["sucai"] if "三新三强" in r["title"])
    assert len(seed["pages"]) == 3 and seed["date"] is None
    url, texts = seed["pages"][0], []
    for n in range(1, 4):
        page = client.get(url)
        assert page.url == seed["pages"][n - 1]
        assert (f"(第{n}/3页)" in page.text) == (n > 1)
        texts.append(page.text)
        nxt = re.search(r'<a class="next" href="([^"]+)">下一页</a>', page.html)
        if n < 3:
            assert nxt, f"page {n} has no next link"
            url = seed["pages"][0].rsplit("/", 1)[0] + nxt.group(1)
        else:
            assert nxt is None
    assert texts[0].index("第五,这是我们") < texts[0].index("第二个问题")
    assert "第三个问题" in texts[1] and "第四个问题" in texts[2]
    assert seed["text"].startswith("第五,") and "共计16698个字" not in seed["text"]


def test_compilations_have_the_right_parts(gold: dict[str, list[dict[str, Any]]]) -> None:
    for site, seed_count in (("fanwen", 19), ("wendang", 9)):
        by_url: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in gold[site]:
            assert record["part"] is not None
            by_url[record["url"]].append(record)
        for records in by_url.values():
            count = records[0]["part"]["count"]
            assert [r["part"]["index"] for r in records] == list(range(1, count + 1))
        counts = [len(r) for r in by_url.values()]
        assert seed_count in counts and min(counts) >= 3
    fanwen_seed = next(r for r in gold["fanwen"] if r["part"]["count"] == 19 and r["part"]["index"] == 3)
    assert fanwen_seed["part"]["label"] == "篇三" and fanwen_seed["title"] == "全市开发区工作会议讲话精神"
    wendang_seed = [r for r in gold["wendang"] if r["part"]["count"] == 9 and "高质量发展工作会议" in r["title"]]
    assert [r["part"]["label"] for r in wendang_seed] == [f"篇{k}" for k in range(1, 10)]
    assert wendang_seed[0]["occasion"] == "全市高质量发展工作会议"


def test_seed_gold_values(gold: dict[str, list[dict[str, Any]]]) -> None:
    ribao = next(r for r in gold["ribao"] if r["speaker"] == "吴锦")
    assert (ribao["title"], ribao["speaker_title"], ribao["source"]) == ("狠抓落地转化 重在行动奔跑", "荆州市委书记", "荆州日报")
    assert "□中共荆州市委书记 吴 锦" in ribao["must_not_contain"] and "(来源:荆州日报)" in ribao["must_not_contain"]
    assert "县域经济 20 强" in ribao["text"]
    wenmi = next(r for r in gold["wenmi"] if r["speaker"] == "王小平")
    assert wenmi["occasion"] == "“学湖州晋江、促高质量发展”动员大会" and wenmi["source"] == "焦作日报"
    assert wenmi["text"].startswith("1过往四年\n") and "WZ头脑" in wenmi["text"] and wenmi["masks"] == []
    fanwen = [r for r in gold["fanwen"] if r["part"]["count"] == 19]
    five = fanwen[4]["text"]
    assert "深入学习贯彻新时代中国特色社会主义思想" in five and "当前隐藏内容免费查看" not in five
    assert "下面是小编为大家整理的" not in five and "******" in fanwen[4]["masks"]
    assert all("20xx" not in r["text"] for r in fanwen)
    wendang = [r for r in gold["wendang"] if r["part"]["count"] == 9][0]
    assert "规上工业总产值增长%" in wendang["text"] and wendang["masks"][0] == "X"
    assert "下面是星星阅读网小编为您推荐" in wendang["must_not_contain"]


def test_generation_is_deterministic(sandbox: SandboxProcess, fresh_sandbox: SandboxProcess, client: Client) -> None:
    for site in SITES:
        s = make_site(site)
        for path in ("/robots.txt", s.list_path(1), s.list_path(2), s.article_path(0), s.article_path(s.seed_index),
                     s.article_path(s.count - 1, s.page_count(s.count - 1))):
            a = client.get(sandbox.url(site, path)).body
            b = client.get(fresh_sandbox.url(site, path)).body
            assert a == b, (site, path)
    assert gold_records("fanwen", "http://x") == gold_records("fanwen", "http://x")


def test_throughput_is_reported(sandbox: SandboxProcess, capsys: pytest.CaptureFixture[str]) -> None:
    urls = []
    for site in SITES:
        s = make_site(site)
        urls += [sandbox.url(site, s.list_path(p)) for p in range(1, s.list_pages + 1)]
        urls += [sandbox.url(site, s.article_path(i, p)) for i in range(s.count) for p in range(1, s.page_count(i) + 1)]
    throughput(urls)  # warm the server's page cache: the measurement below is the steady state
    pages, seconds = throughput(urls * 3)
    with capsys.disabled():
        print(f"\nsandbox throughput: {pages} pages in {seconds:.2f}s = {pages / seconds:.0f} pages/s (2 clients)")
    assert pages == len(urls) * 3


def test_server_cli_rejects_unknown_sites() -> None:
    proc = subprocess.run([sys.executable, "-m", "sandbox.server", "--sites", "nope"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "unknown site" in proc.stderr and proc.stdout == ""
    with pytest.raises(SandboxError, match="exited with code 2"):
        SandboxProcess(sites=["nope"]).start()


def test_sandbox_process_serves_chosen_sites_and_stops_cleanly() -> None:
    with SandboxProcess(sites=["ribao"], articles=3) as sb:
        proc = sb.proc
        assert list(sb.urls) == ["ribao"]
        assert len({r["url"] for r in gold_records("ribao", sb.urls["ribao"], articles=3)}) == 3
        assert Client().get(sb.url("ribao", "/node_101.htm")).status == 200
    assert proc is not None and proc.returncode == 0
    with pytest.raises(KeyError):
        sb.url("wenmi")
    assert page_text("<p>a&amp;b</p><script>x</script>") == "a&b"
