"""``speechcrawl archive wacz``: the package of a sandbox crawl passes the PyPI ``wacz validate``."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archive.exceptions import ArchiveError
from archive.wacz import write_wacz
from tests import ArchivedCrawl, run_cli

pytestmark = pytest.mark.slow

WACZ = Path(sys.executable).parent / "wacz"


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WACZ), "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def package(archived_crawl: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "crawl.wacz"
    proc = run_cli("archive", "wacz", "--data", str(archived_crawl.data), "-o", str(out), "--title", "沙盒")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_wacz_validate_accepts_the_package(package: Path) -> None:
    check = _validate(package)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Validation succeeded" in check.stdout


def test_package_holds_the_warcs_unchanged_the_index_and_the_pages(package: Path,
                                                                      archived_crawl: ArchivedCrawl) -> None:
    warcs = {p.name: p for p in (archived_crawl.data / "warc").rglob("*.warc.gz")}
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        datapackage = json.loads(z.read("datapackage.json"))
        digest = json.loads(z.read("datapackage-digest.json"))
        for name, path in warcs.items():
            assert z.getinfo(f"archive/{name}").compress_type == zipfile.ZIP_STORED
            assert z.read(f"archive/{name}") == path.read_bytes()
        index = z.read("indexes/index.cdx").decode().splitlines()
        page_lines = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()]
    assert sorted(n for n in names if n.startswith("archive/")) == sorted(f"archive/{n}" for n in warcs)
    assert digest["hash"] == "sha256:" + hashlib.sha256(json.dumps(datapackage, indent=2, ensure_ascii=False)
                                                        .encode()).hexdigest()
    assert datapackage["wacz_version"] == "1.1.1" and datapackage["title"] == "沙盒"
    assert {r["path"] for r in datapackage["resources"]} == set(names) - {"datapackage.json",
                                                                           "datapackage-digest.json"}
    proc = run_cli("archive", "index", str(archived_crawl.data / "warc"))
    assert index == proc.stdout.splitlines()
    assert page_lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    documents = {r["url"]: r for r in archived_crawl.records if not r["part"] or r["part"]["index"] == 1}
    assert len(page_lines) - 1 == len(documents)
    captures = {(json.loads(line.split(" ", 2)[2])["url"], line.split(" ")[1]) for line in index}
    for page in page_lines[1:]:
        timestamp = "".join(c for c in page["ts"] if c.isdigit())[:14]
        assert (page["url"], timestamp) in captures, page
        assert page["title"] == documents[page["url"]]["title"]


def test_wacz_validate_rejects_a_changed_member(package: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.wacz"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pages/pages.jsonl":
                data = data.replace("讲话".encode(), "讲稿".encode(), 1)
            dst.writestr(info, data)
    check = _validate(tampered)
    assert check.returncode == 1 and "Validation failed" in check.stdout
    assert "pages.jsonl': [{'type': 'hash-count'" in check.stdout


def test_unfinished_or_missing_archives_are_refused(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no WARC directory"):
        write_wacz(tmp_path / "empty", tmp_path / "x.wacz")
    shutil.copytree(archived_crawl.data / "warc", tmp_path / "data" / "warc")
    victim = next((tmp_path / "data" / "warc").rglob("*.warc.gz"))
    victim.rename(victim.with_name(victim.name + ".open"))
    proc = run_cli("archive", "wacz", "--data", str(tmp_path / "data"), "-o", str(tmp_path / "x.wacz"))
    assert proc.returncode == 1 and "unfinished" in proc.stderr
    assert not list(tmp_path.glob("x.wacz*"))
