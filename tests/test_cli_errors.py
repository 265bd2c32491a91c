"""Wrong input to ``speechcrawl`` gets one clear line, the right exit status, and changes no file.

Each row is a command line a person could type by mistake (issue 22), run against a directory
holding a damaged catalog, a profile that is not UTF-8, a TOML file and an empty page; the test
checks the exit status, that stderr names the problem in exactly one ``error:`` line (no
traceback: an exception escaping ``main`` fails the test), and that every file in the directory
is byte for byte what it was, with nothing created (read-only commands never create data).
The rows run in process through ``crawler.cli.main`` (a process each would cost a minute);
a few rows run again as a user runs them, in their own process, where a traceback would show.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.cli import main
from tests import run_cli


@dataclass(frozen=True)
class Case:
    """``argv`` (``{tmp}`` is the test's directory) → exit status and a fragment of the one error line."""

    argv: tuple[str, ...]
    status: int
    says: str

    def __str__(self) -> str:
        return " ".join(self.argv)


def _case(line: str, status: int, says: str) -> Case:
    return Case(tuple(line.split("|")) if "|" in line else tuple(line.split()), status, says)


DAMAGED = "reprocess --data {tmp}/bad"
"""What every command must say about a damaged catalog: rebuild it from the WARC files."""

CASES = [
    # crawl: targets and options judged before anything is fetched or created
    _case("crawl|http://exa mple.cn/x|--data|{tmp}/new", 2, "'http://exa mple.cn/x' is not a valid URL: it contains a space"),
    _case("crawl http://127.0.0.1:9/ --data {tmp}/new", 2, "is a non-public address (127.0.0.1); pass --allow-private"),
    _case("crawl http://localhost:9/ --data {tmp}/new", 2, "is a non-public address"),
    _case("crawl wenmi --data {tmp}/new", 2, "it is a sandbox profile"),
    _case("crawl ftp://example.cn/x --data {tmp}/new", 2, "only http:// and https:// URLs"),
    _case("crawl http://example.cn:99999/ --data {tmp}/new", 2, "bad port"),
    _case("crawl wenmi --sandbox -s DOWNLOAD_TIMEOUT=abc --data {tmp}/new", 2, "-s DOWNLOAD_TIMEOUT=abc: expected a number"),
    _case("crawl wenmi --sandbox -s NOPE --data {tmp}/new", 2, "expected NAME=VALUE"),
    _case("crawl wenmi --sandbox -s SPEECHCRAWL_NOPE=1 --data {tmp}/new", 2, "unknown setting"),
    _case("crawl wenmi --sandbox --max-pages -5 --data {tmp}/new", 2, "must be 0 (no limit) or more, got -5"),
    _case("crawl wenmi --sandbox --max-duration -1 --data {tmp}/new", 2, "must be 0 (no limit) or more, got -1"),
    _case("crawl wenmi --sandbox --profiles /nonexistent --data {tmp}/new", 2, "/nonexistent does not exist"),
    _case("crawl latin --sandbox --profiles {tmp}/profiles --data {tmp}/new", 2, "latin.toml:1: not UTF-8"),
    _case("crawl nosuchsite --data {tmp}/new", 2, "unknown site 'nosuchsite'"),
    # a damaged catalog: one line naming the file and the way back, from every command that opens it
    _case("crawl wenmi --sandbox --data {tmp}/bad", 1, DAMAGED),
    _case("crawls --data {tmp}/bad", 1, DAMAGED),
    _case("crawls show 20260101T000000000Z --data {tmp}/bad", 1, DAMAGED),
    _case("site list --data {tmp}/bad", 1, DAMAGED),
    _case("schedule list --data {tmp}/bad", 1, DAMAGED),
    _case("schedule remove 1 --data {tmp}/bad", 1, DAMAGED),
    _case("scheduler --data {tmp}/bad --duration 1", 1, DAMAGED),
    _case("stats --data {tmp}/bad", 1, DAMAGED),
    _case("export --data {tmp}/bad -o {tmp}/out.jsonl", 1, DAMAGED),
    # read-only commands on a data directory that does not exist: said, and nothing created
    _case("crawls --data {tmp}/nodata", 1, "no catalog at {tmp}/nodata/catalog.sqlite"),
    _case("schedule list --data {tmp}/nodata", 1, "no catalog at {tmp}/nodata/catalog.sqlite"),
    _case("stats --data {tmp}/nodata", 1, "no catalog at {tmp}/nodata/catalog.sqlite"),
    _case("export --data {tmp}/nodata -o {tmp}/out.jsonl", 1, "no catalog at {tmp}/nodata/catalog.sqlite"),
    # numbers out of range
    _case("replay --data {tmp}/bad --port 99999", 2, "a port is 0 (any free port) to 65535, got 99999"),
    _case("replay --data {tmp}/bad --port http", 2, "not a port number: 'http'"),
    _case("scheduler --data {tmp}/bad --max-runs -1", 2, "must be 0 (no limit) or more, got -1"),
    _case("sandbox serve --articles 0", 2, "must be 1 or more, got 0"),
    _case("export --data {tmp}/nodata -o {tmp}/out.jsonl --min-chars -3", 2, "--min-chars must be 0 or more"),
    # files that are not what the command takes
    _case("clean {tmp}/notes.toml", 1, "notes.toml: not an HTML page"),
    _case("clean {tmp}/empty.html", 1, "empty.html: empty file (0 bytes)"),
    _case("clean {tmp}/missing.html", 1, "cannot read {tmp}/missing.html"),
    _case("export --data {tmp}/bad -o {tmp}/x.csv", 2, "--out {tmp}/x.csv: unknown export format (.csv)"),
    _case("export --data {tmp}/bad -o - --card", 2, "--card needs a file --out"),
    _case("archive index {tmp}/missing.warc.gz", 2, "no such file or directory: {tmp}/missing.warc.gz"),
    _case("completion fish", 2, "invalid choice: 'fish'"),
    _case("crawls --data {tmp}/bad --no-such-flag", 2, "unrecognized arguments: --no-such-flag"),
]


def _files(root: Path) -> dict[str, str]:
    """Every file and directory under ``root``, with a SHA-256 of each file's bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wrong inputs' material, shared by every row (each row proves it leaves all of it untouched)."""
    tmp = tmp_path_factory.mktemp("wrong-input")
    (tmp / "bad").mkdir()
    (tmp / "bad" / "catalog.sqlite").write_bytes(b"this is not a SQLite database\n" + bytes(range(256)) * 8)
    (tmp / "profiles").mkdir()
    (tmp / "profiles" / "latin.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    (tmp / "notes.toml").write_text('[site]\nname = "notes"\nstart = "http://example.cn/"\n', encoding="utf-8")
    (tmp / "empty.html").write_bytes(b"")
    return tmp


def _run_in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(argv)`` as the console script runs it: argparse's usage errors exit with status 2."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _check(case: Case, workdir: Path, status: int, out: str, err: str) -> None:
    errors = [line for line in err.splitlines() if "error:" in line]
    assert status == case.status, out + err
    assert "Traceback" not in err + out
    assert len(errors) == 1, err
    assert errors[0].startswith("speechcrawl"), errors
    assert case.says.format(tmp=workdir) in errors[0], errors[0]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_wrong_input_gets_one_clear_line(case: Case, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(workdir)
    _check(case, workdir, *_run_in_process([arg.format(tmp=workdir) for arg in case.argv], capsys))
    assert _files(workdir) == before, "a wrong command line changed or created files"


AS_A_USER = [c for c in CASES if c.argv[:2] in {("crawl", "http://exa mple.cn/x"), ("crawl", "http://127.0.0.1:9/"),
                                                 ("crawls", "--data"), ("clean", "{tmp}/notes.toml")}]
"""Rows that once printed a traceback, run again in their own process: the URL with a space, a private
seed, a damaged catalog, a TOML file given to clean."""


@pytest.mark.parametrize("case", AS_A_USER, ids=str)
def test_wrong_input_as_a_user_runs_it(case: Case, workdir: Path) -> None:
    before = _files(workdir)
    proc = run_cli(*(arg.format(tmp=workdir) for arg in case.argv), timeout=120)
    _check(case, workdir, proc.returncode, proc.stdout, proc.stderr)
    assert _files(workdir) == before


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_crawl_whose_seeds_all_fail_exits_1_with_one_line_per_seed(tmp_path: Path) -> None:
    port = _closed_port()
    seeds = [f"http://127.0.0.1:{port}/a.html", f"http://127.0.0.1:{port}/b.html"]
    proc = run_cli("crawl", *seeds, "--allow-private", "--no-progress", "--data", str(tmp_path / "d"),
                   "-s", "RETRY_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = [line for line in proc.stdout.splitlines() if line.startswith("seed failed:")]
    assert sorted(failed) == [f"seed failed: {url}: connection refused" for url in seeds], proc.stdout


def test_one_bad_profile_does_not_block_the_others(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run_in_process(["site", "list", "--profiles", str(workdir / "profiles"),
                                      "--data", str(workdir / "nodata")], capsys)
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["fanwen", "ribao", "sucai", "wendang", "wenmi"]
    assert "latin.toml:1: not UTF-8" in err
    assert not (workdir / "nodata").exists()


Check = Callable[[str], bool]


@pytest.mark.parametrize("argv, expect", [
    (("--version",), lambda out: out.startswith("speechcrawl ") and "(cleaners " in out),
    (("completion", "bash"), lambda out: "_shtab_speechcrawl" in out and "crawls" in out and "--json" in out),
    (("completion", "zsh"), lambda out: out.startswith("#compdef speechcrawl")),
])
def test_conventions(argv: tuple[str, ...], expect: Check, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run_in_process(list(argv), capsys)
    assert code == 0, err
    assert expect(out), out[:500]



def test_verbosity_flags_are_taken_after_the_subcommand(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["crawls", "-q", "--data", str(workdir / "bad")], ["-v", "crawls", "-vv", "--data", str(workdir / "bad")]):
        code, _, err = _run_in_process(argv, capsys)
        assert code == 1 and "not a readable speechcrawl catalog" in err, err
