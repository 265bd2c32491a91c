"""``speechcrawl site new`` on every sandbox site: the proposed profile, unedited, crawls the site well.

For each sandbox site a profile is proposed from one URL — a list page for some
sites, an article for others — into tmp dirs (never into spiders/profiles/).  The proposed
profiles are then crawled as they are, exported, and scored against the sandbox gold: every
article found, the content selector matching on every page (no fallback to main-content
detection), mean character-bigram F1 of at least 0.9.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cli import main
from quality.metrics import bigram_f1
from sandbox import ALL_SITES, SandboxProcess
from sandbox.gold import gold_records
from sandbox.hooks import Request
from sandbox.sites import make_site
from spiders.profiles import load_profile
from tests import CLI, run_cli

pytestmark = pytest.mark.slow

FROM_ARTICLE = ("fanwen", "ribao", "wendang", "jsgov", "luntan")
"""Sites proposed from an article URL (their list page must be found); the others from their list page
(and from an article too, in test_from_an_article_on_every_site)."""


def _key(record: dict[str, Any]) -> tuple[str, int | None]:
    part = record.get("part")
    return record["url"], (part["index"] if part else None)


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("site-new")
    dirs = ["--data", str(root / "data"), "--profiles", str(root / "profiles"), "--fixtures", str(root / "fixtures")]
    out: dict[str, Any] = {"root": root, "dirs": dirs, "stdout": {}}
    with SandboxProcess(sites=list(ALL_SITES)) as sb:
        out["urls"] = sb.urls
        running = {}
        for site in ALL_SITES:  # six processes at once: each mostly waits for its reactor and the sandbox
            s = make_site(site)
            url = sb.url(site, s.article_path(3) if site in FROM_ARTICLE else s.list_path(1))
            running[site] = subprocess.Popen([*CLI, "site", "new", site, "--from-url", url, "--allow-private", *dirs],
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for site, child in running.items():
            stdout, stderr = child.communicate(timeout=300)
            assert child.returncode == 0, stdout + stderr
            out["stdout"][site] = stdout
        proc = run_cli("crawl", *ALL_SITES, "--profiles", str(root / "profiles"), "--sandbox", "--no-progress",
                       "--data", str(root / "crawl"))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out["gold"] = {site: gold_records(site, sb.urls[site]) for site in ALL_SITES}
    proc = run_cli("export", "--data", str(root / "crawl"), "--out", str(root / "out.jsonl"), "--dedup", "none")
    assert proc.returncode == 0, proc.stderr
    out["records"] = [json.loads(line) for line in (root / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    return out


@pytest.mark.parametrize("site", ALL_SITES)
def test_proposed_profile_unedited_reaches_f1(proposed: dict[str, Any], site: str) -> None:
    records = {_key(r): r for r in proposed["records"] if r["site"] == site}
    gold = proposed["gold"][site]
    assert {_key(g) for g in gold} == set(records), f"{site}: articles missed or extra records"
    assert {r["mode"] for r in records.values()} == {"profile"}, f"{site}: the content selector missed pages"
    mean = sum(bigram_f1(records[_key(g)]["text"], g["text"]) for g in gold) / len(gold)
    with pytest.MonkeyPatch.context():
        print(f"\nsite new {site}: mean F1 {mean:.4f} over {len(gold)} gold records")
    assert mean >= 0.9, f"{site}: mean char-bigram F1 {mean:.3f}"


def test_from_an_article_on_every_site(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The help says a list page or an article, either works: from an article of every sandbox site the
    proposal starts at that site's list page 1 (or the column directory serving it)."""
    root = tmp_path_factory.mktemp("site-new-article")
    dirs = ["--data", str(root / "data"), "--profiles", str(root / "profiles"), "--fixtures", str(root / "fixtures")]
    others = [site for site in ALL_SITES if site not in FROM_ARTICLE]
    with SandboxProcess(sites=others) as sb:
        running = {site: subprocess.Popen([*CLI, "site", "new", site, "--from-url",
                                           sb.url(site, make_site(site).article_path(3)), "--allow-private", *dirs,
                                           *(["--check"] if site == "liebiao" else [])],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for site in others}
        outputs = {site: child.communicate(timeout=300) for site, child in running.items()}
        # --check: the proposal, crawled at once, reaches 3 list pages of those the pager states, each
        # page's articles, and every record has text and a date.
        liebiao = make_site("liebiao")
        check = outputs["liebiao"][0].split("check: ", 1)[-1]
        assert f"list pages reached: 3 of the 3 sampled (the pager states {liebiao.list_pages})" in check, check
        assert f"list page 1 links {liebiao.page_size})" in check and "0 with empty text, 0 without a date" in check
        sampled = sum(len(liebiao.on_list(p)) for p in (1, 2, liebiao.list_pages))  # 首页, 下一页, 尾页 in link order
        assert f"articles reached: {sampled} " in check and f"records: {sampled};" in check, check
        assert "WARNING" not in check
        for site, child in running.items():
            assert child.returncode == 0, outputs[site]
            assert f"{site}: --from-url is an article;" in outputs[site][0]
            parts = urlsplit(load_profile(root / "profiles" / f"{site}.toml").start_urls[0])
            start = parts.path + (f"?{parts.query}" if parts.query else "")  # phpcms: everything is a query
            s = make_site(site)
            assert s.handle(Request(site=site, method="GET", path=start)).body == \
                s.handle(Request(site=site, method="GET", path=s.list_path(1))).body, site


def test_from_an_article_no_list_found_starts_at_the_article(tmp_path: Path) -> None:
    """With every list page of the site failing, the proposal still comes: the article is the start,
    with a note that says so and a profile comment asking for review; --check shows the gap at once."""
    dirs = ["--data", str(tmp_path / "data"), "--profiles", str(tmp_path / "profiles"),
            "--fixtures", str(tmp_path / "fixtures")]
    site = make_site("liebiao")
    with SandboxProcess(sites=["liebiao"], faults=["reset@liebiao:kind=list"]) as sb:
        url = sb.url("liebiao", site.article_path(3))
        proc = run_cli("site", "new", "liebiao", "--from-url", url, "--allow-private", "--check", *dirs)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # proposed, then --check warns
    assert "note: found no list page that links to this article" in proc.stdout
    assert "WARNING: only 0 list page(s) reached of 3" in proc.stdout
    text = (tmp_path / "profiles" / "liebiao.toml").read_text(encoding="utf-8")
    assert "REVIEW: no list page linking to the article was found" in text
    profile = load_profile(tmp_path / "profiles" / "liebiao.toml")
    assert profile.start_urls == (url,) or list(profile.start_urls) == [url]
    assert profile.links.is_article(site.article_path(10)) and profile.links.is_list(site.article_path(3))
    assert not profile.links.is_list(site.article_path(10))


@pytest.mark.parametrize("site", FROM_ARTICLE)
def test_from_an_article_the_list_page_is_found(proposed: dict[str, Any], site: str) -> None:
    assert f"{site}: --from-url is an article;" in proposed["stdout"][site]
    profile = load_profile(proposed["root"] / "profiles" / f"{site}.toml")
    parts, s = urlsplit(profile.start_urls[0]), make_site(site)
    start = parts.path + (f"?{parts.query}" if parts.query else "")

    def page(path: str) -> bytes:
        return s.handle(Request(site=site, method="GET", path=path)).body

    assert start == s.list_path(1) or page(start) == page(s.list_path(1))  # the column directory is page 1


def test_profile_is_commented_toml(proposed: dict[str, Any]) -> None:
    text = (proposed["root"] / "profiles" / "sucai.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["article"]["next_page"] == ["div.page-links a.next"]
    assert data["article"]["content"] == ["div.entry-content"]
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith(("#", " ")) and i > 0:
            assert "#" in line or lines[i - 1].startswith("#"), f"key without a comment: {line}"
    wenmi = load_profile(proposed["root"] / "profiles" / "wenmi.toml")
    assert wenmi.encoding == "gbk"


def test_fetches_are_archived_and_the_fixture_checks(proposed: dict[str, Any]) -> None:
    root = proposed["root"]
    fixture = root / "fixtures" / "zhengfu"
    warcs = sorted(fixture.glob("*.warc.gz"))
    assert [p.name for p in warcs] == [p.name for p in sorted((root / "data" / "warc" / "zhengfu").glob("*.warc.gz"))]
    uris = set()
    for path in warcs:
        with path.open("rb") as fh:
            uris |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh) if r.rec_type == "response"}
    assert {urlsplit(u).path for u in uris} >= {"/robots.txt", "/zwgk/ldjh/index.html", "/zwgk/ldjh/index_1.html"}
    assert len((fixture / "expected.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    proc = run_cli("site", "check", *proposed["dirs"][2:])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(": ok (") == len(ALL_SITES)


def test_bad_input(proposed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    dirs = proposed["dirs"]
    base = proposed["urls"]["ribao"]
    assert main(["site", "new", "ribao", "--from-url", base + "/node_101.htm", "--allow-private", *dirs]) == 2
    assert "exists: pick another name, or --force" in capsys.readouterr().err
    assert main(["site", "new", "Bad Name", "--from-url", base, *dirs]) == 2
    assert main(["site", "new", "x", "--from-url", "ftp://x/", *dirs]) == 2
    assert "--from-url must be an absolute http(s) URL" in capsys.readouterr().err
    private = run_cli("site", "new", "x", "--from-url", base + "/node_101.htm", *dirs)
    assert private.returncode == 1 and "non-public address" in private.stderr
    missing = run_cli("site", "new", "x", "--from-url", base + "/no/such.html", "--allow-private", *dirs)
    assert missing.returncode == 1 and "cannot propose a profile" in missing.stderr
    assert not (proposed["root"] / "profiles" / "x.toml").exists()
