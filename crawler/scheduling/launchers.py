"""How the scheduler starts a crawl: a child ``speechcrawl crawl`` process, or a Scrapyd job.

Both take a schedule's ``crawl_args`` (the options of ``speechcrawl crawl``, validated
when the schedule was added) and give the crawl the scheduler's crawl id and data
directory, so the run can be found in the catalog afterwards.  Scrapyd receives the same
settings a local crawl would get, as ``setting=NAME=VALUE`` fields, and the profile's
origin as the ``origin`` spider argument; the Scrapyd host must see the data directory
at the same path (same machine or shared storage).
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

from scrapy.settings import SETTINGS_PRIORITIES

from crawler.options import CrawlOptionsError, crawl_settings, parse_crawl_args
from crawler.paths import UnsafeNameError, contained, file_stem
from crawler.scheduling.store import Schedule, ScheduleError
from crawler.settings import SANDBOX_OVERRIDES

logger = logging.getLogger(__name__)

__all__ = ["LocalLauncher", "ScrapydLauncher"]

PROJECT = "speechcrawl"
"""The project name in scrapy.cfg's deploy targets."""


class LocalLauncher:
    """Runs each crawl as ``python -m crawler.cli crawl …`` with its log in ``DATA/logs/``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, schedule: Schedule, crawl_id: str, *, resume: bool = False) -> str:
        logs = self.data_dir / "logs"
        argv = [sys.executable, "-m", "crawler.cli", "crawl", schedule.site, "--data", str(self.data_dir),
                "--crawl-id", crawl_id, "--no-progress", *(["--resume"] if resume else []), *schedule.crawl_args]
        try:
            # A URL schedule (generic mode) is a valid target but not a file name: the log is named by a slug.
            log_path = contained(logs, logs / f"{file_stem(crawl_id)}-{file_stem(schedule.site)}.log")
            logs.mkdir(parents=True, exist_ok=True)
            with log_path.open("ab") as log:
                proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except (OSError, UnsafeNameError) as exc:
            raise ScheduleError(f"cannot start the crawl of {schedule.site}: {exc}") from None
        handle = f"pid:{proc.pid}"
        self._procs[handle] = proc
        return handle

    def running(self, handle: str) -> bool | None:
        proc = self._procs.get(handle)
        if proc is None:
            return None
        code = proc.poll()
        if code is None:
            return True
        del self._procs[handle]
        return False if code == 0 else None

    def stop_all(self, timeout: float) -> None:
        alive = [p for p in self._procs.values() if p.poll() is None]
        for proc in alive:
            proc.send_signal(signal.SIGTERM)  # Scrapy stops gracefully: the crawl can be resumed
        deadline = time.monotonic() + timeout
        for proc in alive:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("crawl pid %d did not stop within %.0fs; killing it", proc.pid, timeout)
                proc.kill()
                proc.wait()


class ScrapydLauncher:
    """Submits crawls to a Scrapyd at ``url`` (``schedule.json``) and follows them (``listjobs.json``)."""

    def __init__(self, url: str, data_dir: Path, *, project: str = PROJECT, timeout: float = 30) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.data_dir = data_dir.resolve()
        self.project = project
        self.timeout = timeout
        self._jobs: set[str] = set()

    def _call(self, endpoint: str, fields: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        url = urljoin(self.url, endpoint)
        data = urlencode(fields).encode() if fields is not None else None
        if data is None:
            url += "?" + urlencode({"project": self.project})
        try:
            with urllib.request.urlopen(url, data=data, timeout=self.timeout) as response:  # noqa: S310
                answer: dict[str, Any] = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScheduleError(f"Scrapyd at {self.url} did not answer {endpoint}: {exc}") from exc
        if answer.get("status") != "ok":
            raise ScheduleError(f"Scrapyd refused {endpoint}: {answer.get('message', answer)}")
        return answer

    def job_fields(self, schedule: Schedule, crawl_id: str, *, resume: bool = False) -> list[tuple[str, str]]:
        """The ``schedule.json`` form: every setting ``speechcrawl crawl`` would set, and the origin."""
        try:
            options = parse_crawl_args(schedule.site, schedule.crawl_args)
        except CrawlOptionsError as exc:
            raise ScheduleError(f"schedule {schedule.id}: bad crawl options: {exc}") from None
        settings = crawl_settings(replace(options, data_dir=self.data_dir, crawl_id=crawl_id, resume=resume))
        # Scrapyd job ids must be unique: a resumed crawl keeps its crawl id (a setting), not its job id.
        job = f"{crawl_id}-r{time.time_ns() % 10**9}" if resume else crawl_id
        fields = [("project", self.project), ("spider", schedule.site), ("jobid", job)]
        for name in sorted(settings.attributes):
            passed = settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
            if passed or (options.sandbox and name in SANDBOX_OVERRIDES):
                fields.append(("setting", f"{name}={settings.get(name)}"))
        if origin := options.origins.get(schedule.site):
            fields.append(("origin", origin))
        return fields

    def start(self, schedule: Schedule, crawl_id: str, *, resume: bool = False) -> str:
        answer = self._call("schedule.json", self.job_fields(schedule, crawl_id, resume=resume))
        job = str(answer.get("jobid") or crawl_id)
        self._jobs.add(job)
        return job

    def _states(self) -> dict[str, str]:
        answer = self._call("listjobs.json")
        return {job["id"]: state for state in ("pending", "running", "finished") for job in answer.get(state, [])}

    def running(self, handle: str) -> bool | None:
        state = self._states().get(handle)
        if state in ("pending", "running"):
            return True
        self._jobs.discard(handle)
        return False if state == "finished" else None

    def stop_all(self, timeout: float) -> None:
        for job in list(self._jobs):
            self._call("cancel.json", [("project", self.project), ("job", job)])
        deadline = time.monotonic() + timeout
        while self._jobs and time.monotonic() < deadline:
            states = self._states()
            self._jobs = {j for j in self._jobs if states.get(j) in ("pending", "running")}
            time.sleep(0.5)
