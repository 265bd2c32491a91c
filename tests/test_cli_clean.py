"""``speechcrawl clean``: saved pages in, JSONL records out; encodings detected or forced; clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpus.records import record_id
from crawler.cli import main
from sandbox.gold import article_records
from sandbox.sites import make_site

HTML = Path(__file__).parent / "fixtures" / "html"
SPEECH = ("<html><head>{meta}<title>在全县经济工作会议上的讲话</title></head><body><div class='content'>"
          "<h1>在全县经济工作会议上的讲话</h1><p>同志们：</p>"
          "<p>今天召开全县经济工作会议，主要任务是总结去年工作，分析当前形势，部署今年任务。䶮€</p>"
          "<p>一要抓项目扩投资，坚持项目为王，全年实施重点项目一百五十个以上，确保早开工、早投产、早见效。</p>"
          "<p>二要抓产业促转型，做大做强主导产业，培育壮大新业态新模式，推动经济高质量发展。</p>"
          "<p>同志们，让我们真抓实干、奋勇争先，奋力夺取全县经济社会发展新胜利！</p></div></body></html>")


def run_clean(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["clean", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_one_page_generic_mode(capsys: pytest.CaptureFixture[str]) -> None:
    path = HTML / "wenku.anquan.html"
    code, records, err = run_clean(capsys, str(path))
    assert code == 0 and err == "" and len(records) == 1
    record = records[0]
    assert record["url"] == path.resolve().as_uri() and record["pages"] == [record["url"]]
    assert record["id"] == record_id(record["url"], None) and record["part"] is None and record["mode"] == "generic"
    assert (record["speaker"], record["speaker_title"], record["date"]) == ("李卫东", "县委副书记、县长", "2023-03-10")
    assert "第一文库网" not in record["text"] and record["text"].startswith("同志们：")
    assert {"injected_ads", "markers", "masks", "byline", "dateline"} <= set(record["audit"])
    assert all(entry["count"] > 0 and entry["chars"] > 0 for entry in record["audit"].values())
    assert [m["original"] for m in record["masks"]][:2] == ["20ⅹⅹ", "×××"]


def test_compilation_parts_carry_parent_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, records, _ = run_clean(capsys, str(HTML / "fanwen.kaifaqu.html"), "--url", "http://fanwen.example/a/1.html")
    assert code == 0 and len(records) == 19
    parent = record_id("http://fanwen.example/a/1.html", None)
    assert [r["part"]["index"] for r in records] == list(range(1, 20))
    assert {r["part"]["count"] for r in records} == {19} and {r["part"]["parent_id"] for r in records} == {parent}
    assert records[0]["part"]["label"] == "篇一" and records[18]["part"]["label"] == "篇十九"
    assert len({r["id"] for r in records}) == 19 and parent not in {r["id"] for r in records}


def test_pages_of_one_article_with_a_profile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = make_site("sucai", 6)
    i = next(i for i in range(6) if site.page_count(i) >= 3 and i != site.seed_index)
    files = []
    for page in range(1, site.page_count(i) + 1):
        files.append(tmp_path / f"p{page}.html")
        files[-1].write_bytes(site.render_article(i, page).encode("utf-8"))
    url = "http://sucai.example" + site.article_path(i)
    code, records, _ = run_clean(capsys, *map(str, files), "--site", "sucai", "--url", url)
    gold = article_records(site, site.article(i), "http://sucai.example")[0]
    assert code == 0 and len(records) == 1
    record = records[0]
    assert record["mode"] == "profile" and record["site"] == "sucai" and len(record["pages"]) == len(files)
    assert record["url"] == url and record["pages"][1] == files[1].resolve().as_uri()
    assert record["text"] == gold["text"] and (record["title"], record["date"]) == (gold["title"], gold["date"])
    assert "页)" not in record["text"] and "下一页" not in record["text"]


def test_pages_of_one_article_generic_mode(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(HTML / "dzgw.yingshang-p1.html"), str(HTML / "dzgw.yingshang-p2.html")]
    code, records, _ = run_clean(capsys, *files)
    assert code == 0 and len(records) == 1 and len(records[0]["pages"]) == 2
    text = records[0]["text"]
    assert "这些问题必须下大力气加以解决。" in text  # the paragraph the page break cut, made whole
    assert "本文共2页" not in text and "第2页" not in text and text.count("二、聚焦重点打造一流营商环境") == 1


@pytest.mark.parametrize(("mode", "shown"), [("strip", None), ("keep", "******"), ("placeholder", "□")])
def test_mask_modes(capsys: pytest.CaptureFixture[str], mode: str, shown: str | None) -> None:
    _, records, _ = run_clean(capsys, str(HTML / "fanwen.kaifaqu.html"), "--masks", mode)
    part = records[4]
    assert part["masks"] and all(m["kind"] for m in part["masks"])
    if shown is None:
        assert "*" not in part["text"] and "□" not in part["text"]
    else:
        assert shown in part["text"]
        for mask in part["masks"]:
            token = mask["original"] if mode == "keep" else "□"
            assert part["text"][mask["offset"]:mask["offset"] + len(token)] == token


@pytest.mark.parametrize(("name", "body"), [
    ("gbk, no meta charset", SPEECH.format(meta="").encode("gb18030")),
    ("gbk behind a utf-8 meta", SPEECH.format(meta='<meta charset="utf-8">').encode("gb18030")),
    ("utf-8 behind a gbk meta", SPEECH.format(meta='<meta charset="gbk">').encode("utf-8")),
    ("utf-8 BOM, gb2312 meta", b"\xef\xbb\xbf" + SPEECH.format(meta='<meta charset="gb2312">').encode("utf-8")),
    ("gb18030 four-byte characters, gb2312 meta", SPEECH.format(meta='<meta charset="gb2312">').encode("gb18030")),
    ("utf-16 with BOM", SPEECH.format(meta="").encode("utf-16")),
])
def test_encoding_is_detected(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, body: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(body)
    code, records, _ = run_clean(capsys, str(path))
    assert code == 0, name
    assert "部署今年任务。䶮€" in records[0]["text"] and "奋力夺取全县经济社会发展新胜利！" in records[0]["text"]


def test_forced_encoding_wins_over_the_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(SPEECH.format(meta='<meta charset="gbk">').encode("utf-8"))
    code, records, _ = run_clean(capsys, str(path), "--encoding", "utf-8")
    assert code == 0 and "今天召开全县经济工作会议" in records[0]["text"]
    code, records, err = run_clean(capsys, str(path), "--encoding", "gbk")  # wrong on purpose: mojibake, no speech
    assert code == 1 and records == [] and "no speech found" in err


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["no-such-file.html"], 1, "cannot read"),
    ([str(HTML / "wenku.anquan.html"), "--site", "nope"], 2, "unknown site 'nope'"),
    ([str(HTML / "wenku.anquan.html"), "--encoding", "klingon"], 2, "unknown encoding 'klingon'"),
])
def test_errors(capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str) -> None:
    got, records, err = run_clean(capsys, *argv)
    assert got == code and records == [] and message in err


def test_a_list_page_is_no_speech(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "list.html"
    items = "".join(f'<li><a href="/a/{i}.html">在全市第{i}次工作会议上的讲话</a></li>' for i in range(30))
    path.write_text(f"<html><body><ul>{items}</ul></body></html>", encoding="utf-8")
    code, records, err = run_clean(capsys, str(path))
    assert code == 1 and records == [] and "no speech found" in err


def test_real_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "clean", str(HTML / "xinwen.zuofeng.html")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert (record["speaker"], record["occasion"], record["source"]) == ("赵永刚", "全市作风建设推进会", "临川日报")
