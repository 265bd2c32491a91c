"""speechcrawl as a Scrapy project on a real Scrapyd: deploy with scrapyd-deploy, schedule, find the data."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from tests import run_cli

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"items_dir =\ndbs_dir = {home}/dbs\nmax_proc = 2\npoll_interval = 0.5\n", encoding="utf-8")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "daemonstatus.json", timeout=2) as response:
                    if json.load(response)["status"] == "ok":
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"scrapyd did not start: {proc.stderr.read() if proc.stderr else ''}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _deploy(url: str, tmp_path: Path) -> dict[str, Any]:
    """scrapyd-deploy from a copy of the project (it builds the egg in place with setup.py)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    for package in ("crawler", "spiders", "cleaners", "archive", "corpus", "quality", "sandbox"):
        shutil.copytree(ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([str(BIN / "scrapyd-deploy"), "env"], cwd=project, capture_output=True, text=True,
                          timeout=300, env={"PATH": str(BIN), "SCRAPYD_URL": url, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    answer: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


def test_deploy_schedule_and_find_the_crawl(scrapyd: str, sandbox: Any, tmp_path: Path) -> None:
    answer = _deploy(scrapyd, tmp_path)
    assert answer["status"] == "ok" and answer["spiders"] == 5
    data = tmp_path / "data"
    assert main(["schedule", "add", "ribao", "--every", "1h", "--scrapyd", scrapyd, "--data", str(data), "--",
                 "--sandbox", "--origin", sandbox.urls["ribao"]]) == 0
    proc = run_cli("scheduler", "--data", str(data), "--max-runs", "1", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    conn = sqlite3.connect(data / "catalog.sqlite")
    [(status, crawl_id, handle)] = conn.execute("SELECT status, crawl_id, handle FROM schedule_runs").fetchall()
    records = conn.execute("SELECT COUNT(*) FROM records WHERE site = 'ribao' AND crawl_id = ?", (crawl_id,))
    assert status == "finished" and handle == crawl_id
    assert records.fetchone()[0] == 20
    warcs = list((data / "warc" / "ribao").glob(f"ribao-{crawl_id}-*.warc.gz"))
    assert warcs, "the Scrapyd job wrote no WARC into the data directory"
    with urllib.request.urlopen(scrapyd + "listjobs.json?project=speechcrawl", timeout=10) as response:
        finished = json.load(response)["finished"]
    assert [job["id"] for job in finished] == [crawl_id]


ALL_OPTIONS = ["--sandbox", "--max-pages", "8", "--max-depth", "3", "--max-duration", "300",
               "--user-agent", "speechcrawl-test/1 (+mailto:archive@example.org)", "-s", "LOG_LEVEL=INFO",
               "-s", "DOWNLOAD_DELAY=0.01"]
"""Every crawl option a schedule can carry (``--contact`` is the other way to set the User-Agent)."""


def test_every_crawl_option_reaches_the_scrapyd_job(scrapyd: str, sandbox: Any, tmp_path: Path) -> None:
    """The options of ``schedule add … -- OPTIONS`` arrive in the job: seen in what the job did."""
    from archive.reader import iter_records

    assert _deploy(scrapyd, tmp_path)["status"] == "ok"
    profiles = tmp_path / "profiles"  # the user's own copy of ribao: its sha256 proves --profiles arrived
    profiles.mkdir()
    text = (ROOT / "spiders" / "profiles" / "ribao.toml").read_text(encoding="utf-8")
    (profiles / "ribao.toml").write_text("# the user's copy\n" + text, encoding="utf-8")
    own_sha = hashlib.sha256((profiles / "ribao.toml").read_bytes()).hexdigest()
    data = tmp_path / "data"
    assert main(["schedule", "add", "ribao", "--every", "1h", "--scrapyd", scrapyd, "--data", str(data), "--",
                 "--origin", sandbox.urls["ribao"], "--profiles", str(profiles), *ALL_OPTIONS]) == 0
    proc = run_cli("scheduler", "--data", str(data), "--max-runs", "1", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warcs = sorted((data / "warc" / "ribao").glob("ribao-*.warc.gz"))
    records = [r for path in warcs for r in iter_records(path)]
    [info] = [r for r in records if r.header("WARC-Type") == "warcinfo"]
    assert f"site-profile-sha256: {own_sha}" in info.payload.decode()  # --profiles
    agents = {r.http_header("User-Agent") for r in records if r.header("WARC-Type") == "request"}
    assert agents == {"speechcrawl-test/1 (+mailto:archive@example.org)"}  # --user-agent
    responses = [r for r in records if r.header("WARC-Type") in ("response", "revisit")]
    assert 8 <= len(responses) < 40  # --max-pages 8 (with the requests already in flight); the site has 60
    [log] = (tmp_path / "scrapyd" / "logs" / "speechcrawl" / "ribao").glob("*.log")
    overridden = log.read_text(encoding="utf-8")
    # Scrapy logs the Scrapy settings a job overrides (ours are seen above: --sandbox let it reach 127.0.0.1).
    for setting in ("'CLOSESPIDER_PAGECOUNT': '8'", "'DEPTH_LIMIT': '3'", "'CLOSESPIDER_TIMEOUT': '300.0'",
                    "'DOWNLOAD_DELAY': '0.01'", "'AUTOTHROTTLE_ENABLED': 'False'"):
        assert setting in overridden, setting  # --max-pages, --max-depth, --max-duration, -s, --sandbox


def test_scrapyd_jobs_get_the_settings_the_crawl_command_gets(tmp_path: Path) -> None:
    """One function maps options to settings: for every option, the job's settings are the command's."""
    from datetime import UTC, datetime

    from crawler.commands import crawl as crawl_command
    from crawler.options import crawl_settings, options_from_args
    from crawler.scheduling.launchers import ScrapydLauncher
    from crawler.scheduling.store import Schedule

    now = datetime.now(UTC)
    common = {"USER_AGENT", "SPEECHCRAWL_SSRF_ALLOW_PRIVATE", "SPEECHCRAWL_DATA_DIR", "SPEECHCRAWL_CRAWL_ID"}
    cases = [(ALL_OPTIONS, common | {"CLOSESPIDER_PAGECOUNT", "DEPTH_LIMIT", "CLOSESPIDER_TIMEOUT", "LOG_LEVEL",
                                     "DOWNLOAD_DELAY"}),
             (["--contact", "mailto:a@b.org", "--allow-private", "--profiles", str(tmp_path)],
              common | {"SPEECHCRAWL_PROFILES_DIR"})]
    for options, asked in cases:
        schedule = Schedule(id=1, site="ribao", every=3600, at=None, crawl_args=tuple(options), scrapyd=None,
                            created_at=now, next_run_at=now)
        fields = ScrapydLauncher("http://127.0.0.1:9/", tmp_path).job_fields(schedule, "c1")
        sent = dict(value.split("=", 1) for name, value in fields if name == "setting")
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        crawl_command.register(sub)
        args = parser.parse_args(["crawl", "ribao", "--data", str(tmp_path.resolve()), "--crawl-id", "c1", *options])
        local = crawl_settings(options_from_args(args, ["ribao"]))
        for name, value in sent.items():
            assert str(local.get(name)) == value, name
        assert asked <= set(sent), asked - set(sent)


def test_unreachable_scrapyd_is_a_clear_error(tmp_path: Path, sandbox: Any) -> None:
    url = f"http://127.0.0.1:{_free_port()}/"
    assert main(["schedule", "add", "ribao", "--every", "1h", "--scrapyd", url, "--data", str(tmp_path)]) == 0
    proc = run_cli("scheduler", "--data", str(tmp_path), "--max-runs", "1", timeout=120)
    assert proc.returncode == 1 and "1 could not start" in proc.stdout
    assert f"Scrapyd at {url} did not answer schedule.json" in proc.stderr
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    [(status, reason)] = conn.execute("SELECT status, reason FROM schedule_runs").fetchall()
    assert status == "failed" and "did not answer" in reason
