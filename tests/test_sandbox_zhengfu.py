"""The tutorial site (zhengfu, a government portal) and the redesign switch every sandbox site has.

zhengfu is not among the five default sites, so the suite's shared ``sandbox`` does not serve it:
these tests start their own server with ``sites=["zhengfu"]``.  The same promises as for the
other sites are checked (robots, every gold article reachable through the list pagination, gold
fidelity, determinism), plus what the redesign switch does to each site's article pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest

from sandbox import ALL_SITES, HOLDOUT_SITES, SHAPE_SITES, SITES, TUTORIAL_SITES, SandboxProcess
from sandbox.gold import gold_records, robots_disallowed
from sandbox.hooks import Request
from sandbox.sites import make_site
from tests.harness.client import Client, path_query


@pytest.fixture(scope="module")
def zhengfu() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=["zhengfu"]) as sb:
        yield sb


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    c = Client()
    yield c
    c.close()


def test_tutorial_site_is_not_a_default_site() -> None:
    assert "zhengfu" in TUTORIAL_SITES and "zhengfu" not in SITES and ALL_SITES == SITES + TUTORIAL_SITES + SHAPE_SITES + HOLDOUT_SITES


def test_robots_and_trap(zhengfu: SandboxProcess, client: Client) -> None:
    robots = client.get(zhengfu.url("zhengfu", "/robots.txt")).body.decode()
    assert re.findall(r"^Disallow: (\S+)$", robots, re.M) == robots_disallowed("zhengfu") == ["/print/", "/search/"]
    site = make_site("zhengfu")
    article = client.get(zhengfu.url("zhengfu", site.article_path(0)))
    assert site.trap_path(0) in article.html
    assert client.get(zhengfu.url("zhengfu", site.trap_path(0))).status == 200


def test_pagination_reaches_every_gold_article(zhengfu: SandboxProcess, client: Client) -> None:
    """TRS numbering (index.html, index_1.html …) and relative links lead to exactly the gold articles."""
    is_list = re.compile(r"^/zwgk/ldjh/index(?:_\d+)?\.html$")
    todo, lists, found = [zhengfu.url("zhengfu", "/zwgk/ldjh/index.html")], set(), set()
    while todo:
        url = todo.pop()
        if url in lists:
            continue
        lists.add(url)
        page = client.get(url)
        todo += [link for link in page.links() if is_list.match(path_query(link))]
        items = page.html.split('<ul class="list-ul">', 1)[1].split("</ul>", 1)[0]
        found |= {client.get(urljoin(url, href)).url for href in re.findall(r'href="([^"]+)"', items)}
    assert {urlsplit(u).path for u in lists} == {"/zwgk/ldjh/index.html", "/zwgk/ldjh/index_1.html",
                                                  "/zwgk/ldjh/index_2.html"}
    assert found == {r["url"] for r in gold_records("zhengfu", zhengfu.urls["zhengfu"])}


def test_gold_matches_the_pages(zhengfu: SandboxProcess, client: Client) -> None:
    gold = gold_records("zhengfu", zhengfu.urls["zhengfu"])
    assert len(gold) == 20
    kinds: dict[str, int] = {"note": 0, "recorded": 0}
    for record in gold:
        page = client.get(record["url"])
        assert page.status == 200 and "charset=utf-8" in page.headers["content-type"]
        assert record["title"] in page.text and record["date"] in page.text
        assert f'<meta name="ArticleTitle" content="{record["title"]}">' in page.html
        missing = [s for s in record["must_not_contain"] if s not in page.text]
        assert not missing, missing
        assert record["text"].split("\n")[-1] in page.text
        assert not any(s in record["text"] for s in record["must_not_contain"])
        kinds["note"] += any(s.startswith("编者按") for s in record["must_not_contain"])
        kinds["recorded"] += any(s.startswith("(根据录音整理") for s in record["must_not_contain"])
    assert all(n >= 3 for n in kinds.values()), kinds


def test_legacy_url_redirects(zhengfu: SandboxProcess, client: Client) -> None:
    site = make_site("zhengfu")
    page = client.get(zhengfu.url("zhengfu", site.old_path(site.redirect_index)), follow=False)
    assert page.status == 301 and page.headers["location"] == site.article_path(site.redirect_index)


@pytest.mark.parametrize("name", ALL_SITES)
def test_redesign_renames_the_content_element_only(name: str) -> None:
    plain, redesigned = make_site(name, 3), make_site(name, 3, redesign=True)
    target = plain.article_path(0)
    before = plain.handle(Request(site=name, method="GET", path=target)).body.decode(plain.encoding)
    after = redesigned.handle(Request(site=name, method="GET", path=target)).body.decode(plain.encoding)
    attr, value = plain.content_attr.split("=")
    assert before.count(plain.content_attr) == 1 and plain.content_attr not in after
    assert after == before.replace(plain.content_attr, f'{attr}="{value.strip(chr(34))}-v2"')
    lists = [s.handle(Request(site=name, method="GET", path=plain.list_path(1))).body for s in (plain, redesigned)]
    assert lists[0] == lists[1]


def test_server_redesign_flag(client: Client) -> None:
    with SandboxProcess(sites=["sucai", "ribao"], articles=3, redesign=["sucai"]) as sb:
        sucai, ribao = make_site("sucai", 3), make_site("ribao", 3)
        assert 'class="entry-content-v2"' in client.get(sb.url("sucai", sucai.article_path(0))).html
        assert 'id="ozoom"' in client.get(sb.url("ribao", ribao.article_path(0))).html
