"""Profiles: every shipped profile loads; bad ones fail naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.loader import ProfileSpiderLoader
from spiders.profiles import (
    PROFILES_DIR,
    ProfileError,
    generic_profile,
    load_profile,
    load_profile_set,
    load_profiles,
)

GOOD = """\
name = "demo"
start_urls = ["http://news.example.cn/list/1.html"]

[links]
list = ['/list/\\d+\\.html$']
article = ['/a/\\d+\\.html$']

[article]
content = ["div.article"]
title = ["h1"]
"""


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profiles_load() -> None:
    profiles = load_profiles(PROFILES_DIR)
    assert {"wenmi", "fanwen", "wendang", "sucai", "ribao"} <= set(profiles)
    for profile in profiles.values():
        assert profile.rules is not None and profile.rules.content
        assert profile.links.article
        assert len(profile.sha256) == 64


def test_good_profile_round_trip(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, GOOD))
    assert profile.name == "demo"
    assert profile.links.is_article("/a/12.html") and not profile.links.is_article("/list/2.html")
    assert profile.links.is_list("/list/2.html")
    assert profile.hosts == ("news.example.cn",)
    rebased = profile.rebased("http://127.0.0.1:9999")
    assert rebased.start_urls == ("http://127.0.0.1:9999/list/1.html",)
    assert rebased.hosts == ("127.0.0.1:9999",)
    assert profile.rules is not None and profile.rules.date_from == "speech"
    dated = load_profile(write(tmp_path, GOOD + '\n[clean]\ndate_from = "page"\n', "dated.toml"))
    assert dated.rules is not None and dated.rules.date_from == "page"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace('title = ["h1"]', 'title = ["h1"]\ncontnet = ["x"]'), r"demo.toml:11: key 'article.contnet': unknown key"),
        (lambda t: t.replace("'/a/\\d+\\.html$'", "'/a/(\\d+\\.html$'"), r"demo.toml:6: key 'links.article': bad regex"),
        (lambda t: t.replace('"div.article"', '"div..article"'), r"demo.toml:9: key 'article.content': bad CSS selector"),
        (lambda t: t.replace('name = "demo"\n', ""), r"demo.toml:1: missing required key 'name'"),
        (lambda t: t.replace('content = ["div.article"]\n', ""),
         r"demo.toml:8: missing required key 'article.content' \(add it under \[article\]\)"),
        (lambda t: t.split("[article]")[0], r"demo.toml:7: missing required key 'article.content' \(add a \[article\]"),
        (lambda t: t.replace('title = ["h1"]', 'title = [\n  "h1",\n  "h2 >> b",\n]'),
         r"demo.toml:12: key 'article.title': bad CSS selector 'h2 >> b'"),
        (lambda t: t.replace("list = ['/list/\\d+\\.html$']", 'list = [\n  "/list/\\\\d+",\n  "/x/(\\\\d+",\n]'),
         r"demo.toml:7: key 'links.list': bad regex '/x/\(\\\\d\+'"),
        (lambda t: t.replace('title = ["h1"]', '"titel" = ["h1"]'), r"demo.toml:10: key 'article.titel': unknown key"),
        (lambda t: t.replace("content = ", "contnet = "), r"demo.toml:9: key 'article.contnet': unknown key"),
        (lambda t: "colour = 1\n" + t, r"demo.toml:1: key 'colour': unknown key"),
        (lambda t: t.replace('"http://news.example.cn/list/1.html"', '"/list/1.html"'), r"not an absolute"),
        (lambda t: t + "\n[clean]\ncompilation = \"yes\"\n", r"key 'clean.compilation': must be true or false"),
        (lambda t: t + "\n[clean]\ndate_from = \"published\"\n", r"key 'clean.date_from': must be \"speech\""),
    ],
)
def test_bad_profiles_name_file_line_and_key(tmp_path: Path, edit: object, expected: str) -> None:
    path = write(tmp_path, edit(GOOD))  # type: ignore[operator]
    with pytest.raises(ProfileError, match=expected) as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"demo.toml:3: not valid TOML"):
        load_profile(write(tmp_path, 'name = "x"\n\nstart_urls = = []\n'))
    with pytest.raises(ProfileError, match=r"demo.toml:2: not valid TOML: .*end of document"):
        load_profile(write(tmp_path, 'name = "x"\nstart_urls = [\n'))


LONG = """\
# a profile written the way maintainers write them: comments, long lists, odd strings
name = "demo"
start_urls = ["http://news.example.cn/list/1.html"]
description = '''a [table] look-alike = inside
a multi-line string # not a comment'''

[links]
list = ['/list/\\d+\\.html$']
article = [
    '/a/\\d+\\.html$',   # the usual
    "/b/[0-9]+/",
    '/c/(unclosed',
]

[article]
content = ["div.article"]
"title" = ["h1"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LONG, r"demo.toml:12: key 'links.article': bad regex '/c/\(unclosed'"),
        (LONG.replace("'/c/(unclosed'", "'/c/'").replace('"title" = ["h1"]', '"titel" = ["h1"]'),
         r"demo.toml:17: key 'article.titel': unknown key"),
        (LONG.replace("'/c/(unclosed'", "'/c/'") + 'drop = [\n  "script",\n  "div..ad",\n]\n',
         r"demo.toml:20: key 'article.drop': bad CSS selector 'div..ad'"),
        (LONG.replace("'/c/(unclosed'", "'/c/'").replace('[article]\ncontent = ["div.article"]\n"title" = ["h1"]\n', "")
         .replace('start_urls = [', 'article = { content = ["div.article"], drop = ["p..x"] }\nstart_urls = ['),
         r"demo.toml:3: key 'article.drop': bad CSS selector"),
        (LONG.replace("'/c/(unclosed'", "'/c/'") + '\n[clean]\nads = ["ok", "(bad"]\n',
         r"demo.toml:20: key 'clean.ads': bad regex '\(bad'"),
        (LONG.replace("'/c/(unclosed'", "'/c/'").replace('name = "demo"', 'name = "demo"\nclean.dorp_lines = []'),
         r"demo.toml:3: key 'clean.dorp_lines': unknown key"),
    ],
)
def test_errors_name_the_line_in_real_layouts(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ProfileError, match=expected):
        load_profile(write(tmp_path, text))


def test_duplicate_names_rejected(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(ProfileError, match="already used"):
        load_profiles(tmp_path, strict=True)
    found = load_profile_set(tmp_path)
    assert found.profiles["demo"].path == tmp_path / "a.toml"
    assert "already used" in str(found.errors["b"])


def test_a_bad_profile_blocks_no_other_site(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "demo.toml")
    (tmp_path / "broken.toml").write_bytes("name = 'broken'\n# 讲话\n".encode("gbk"))
    found = load_profile_set(tmp_path)
    assert "demo" in found.profiles and "wenmi" in found.profiles  # the user's and the bundled ones
    error = str(found.errors["broken"])
    assert error.startswith(f"{tmp_path / 'broken.toml'}:2: not UTF-8"), error


def test_user_profiles_replace_bundled_ones_of_the_same_name(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace('name = "demo"', 'name = "wenmi"'), "wenmi.toml")
    profiles = load_profiles(tmp_path)
    assert profiles["wenmi"].path == tmp_path / "wenmi.toml"
    assert profiles["ribao"].path == PROFILES_DIR / "ribao.toml"


def test_a_missing_profile_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=f"profile directory {tmp_path / 'nope'} does not exist"):
        load_profiles(tmp_path / "nope")


def test_spider_loader_protocol(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    loader = ProfileSpiderLoader(tmp_path)
    assert loader.list() == sorted(["demo", *load_profiles()])
    cls = loader.load("demo")
    assert cls.name == "demo"
    with pytest.raises(KeyError, match="Spider not found: nope"):
        loader.load("nope")
    from scrapy import Request

    assert loader.find_by_request(Request("http://news.example.cn/a/1.html")) == ["demo"]
    assert loader.find_by_request(Request("http://other.example/")) == []


def test_generic_profile() -> None:
    profile = generic_profile("http://news.example.cn:8080/index.html")
    assert profile.generic and profile.rules is None
    assert profile.hosts == ("news.example.cn:8080",)
    with pytest.raises(ProfileError):
        generic_profile("ftp://x/")


def test_shipped_profiles_load_from_a_zipped_package(tmp_path: Path) -> None:
    """Scrapyd runs a deployed project from a zipped egg, where spiders/profiles/ is no directory."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    archive = tmp_path / "project.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for package in ("spiders", "cleaners"):
            for path in (root / package).rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    zf.write(path, path.relative_to(root).as_posix())
    code = "import spiders.profiles as p; print(p.__file__); print(','.join(sorted(p.load_profiles())))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(archive)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    where, names = proc.stdout.split()
    assert where.startswith(str(archive))
    assert names.split(",") == sorted(load_profiles(PROFILES_DIR))


def test_key_lines_stay_in_step_with_strings_and_comments() -> None:
    from spiders.profile_lines import KeyLines

    lines = KeyLines(LONG)
    assert lines.key(("name",)) == 2 and lines.key(("description",)) == 4
    assert lines.table(("links",)) == 7 and lines.key(("links", "list")) == 8
    assert [lines.element(("links", "article"), i) for i in range(3)] == [10, 11, 12]
    assert lines.key(("article", "title")) == 17 and lines.key(("nope",)) == 0
    assert lines.element(("links", "list"), 5) == 8  # no such element: the key's line
