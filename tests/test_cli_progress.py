"""Long commands draw a progress line on stderr when asked (``--progress``), never with ``--no-progress``.

By default the line shows only when stderr is a terminal; under pytest it is not, so the
default must print nothing either, which keeps logs and pipes clean.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.cli import main
from tests import ArchivedCrawl

DATA = Path(__file__).resolve().parent / "data" / "warc"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with two whole WARC files (a WACZ needs every file whole)."""
    (tmp_path / "warc" / "site").mkdir(parents=True)
    for name in ("good.warc.gz", "bad-header.warc.gz"):
        shutil.copy(DATA / name, tmp_path / "warc" / "site" / name)
    return tmp_path


@pytest.mark.parametrize("command, label", [
    (["archive", "verify", "{warc}"], "verify"),
    (["archive", "index", "{warc}", "-o", "{tmp}/index.cdxj"], "index"),
    (["archive", "wacz", "--data", "{tmp}", "-o", "{tmp}/crawl.wacz"], "wacz"),
])
def test_progress_only_when_asked(command: list[str], label: str, data_dir: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.format(warc=data_dir / "warc", tmp=data_dir) for a in command]
    seen = {}
    for flag in ("--progress", "--no-progress", None):
        main(argv + ([flag] if flag else []))
        seen[flag] = capsys.readouterr().err
    assert f"{label:<8} 2/2  100%" in seen["--progress"]
    assert "2/2" not in seen["--no-progress"] + seen[None] and "\r" not in seen["--no-progress"] + seen[None]


def test_reprocess_progress(tmp_path: Path, archived_crawl: ArchivedCrawl, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v2"
    assert main(["reprocess", "--data", str(archived_crawl.data), "-o", str(out), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "clean " in err and "write " in err and "100%" in err, err
