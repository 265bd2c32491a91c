"""``speechcrawl replay``: serve a data directory's WARC files with pywb, on loopback only.

The archive is indexed into a temporary CDXJ file (``archive.cdxj``, file names relative
to ``DATA/warc`` so nothing is copied or linked), a pywb configuration pointing at it is
written next to it, and pywb runs in a child process (see :mod:`crawler.replay.server`
for why).  This process waits for it and, however it is stopped, stops the child it
started and removes the temporary files.  Loopback only, on purpose: an archive may
hold pages that must not be published, and exposing it is a decision for a real
web server in front of it, not a flag.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType

from archive.cdxj import write_cdxj
from archive.exceptions import ArchiveError
from archive.warc import WARC_DIRNAME
from crawler.subprocesses import stop_child

__all__ = ["HOST", "REPLAY_PYTHON_ENV", "replay_python", "write_config", "serve"]

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
COLLECTION = "speechcrawl"
_SERVER = Path(__file__).resolve().with_name("server.py")
REPLAY_PYTHON_ENV = "SPEECHCRAWL_REPLAY_PYTHON"
"""The interpreter that runs pywb.  pywb pins redis 2.10.6 (through fakeredis) and the distributed
extra needs redis >= 4, so the two cannot share one environment: pywb may live in its own."""


def replay_python() -> str:
    """The Python that runs pywb: $SPEECHCRAWL_REPLAY_PYTHON, else this one.  Raises ArchiveError if it cannot."""
    python = os.environ.get(REPLAY_PYTHON_ENV) or sys.executable
    try:
        probe = subprocess.run([python, "-c", "import pywb.apps.frontendapp, gevent, tldextract"],
                               capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ArchiveError(f"cannot run {python} for pywb ({REPLAY_PYTHON_ENV}): {exc}") from None
    if probe.returncode != 0:
        last = (probe.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ArchiveError(
            f"pywb cannot be imported by {python} ({last}): pip install 'speechcrawl[replay]', or, beside the "
            f"distributed extra (pywb pins redis 2.10.6), install pywb in its own environment and set "
            f"{REPLAY_PYTHON_ENV} to its python")
    return python


def write_config(data_dir: Path, workdir: Path) -> Path:
    """Index ``data_dir/warc`` into ``workdir`` and write pywb's config.yaml there; return its path."""
    warc_dir = (data_dir / WARC_DIRNAME).resolve()
    if not warc_dir.is_dir():
        raise ArchiveError(f"no WARC directory at {warc_dir}: nothing to replay")
    index = workdir / "index.cdxj"
    count = write_cdxj([warc_dir], index, dir_root=warc_dir)
    if not count:
        raise ArchiveError(f"no replayable records under {warc_dir}")
    logger.info("indexed %d captures under %s", count, warc_dir)
    # JSON is YAML, and needs no YAML library here.
    config = {"collections": {COLLECTION: {"index": str(index), "archive_paths": str(warc_dir) + os.sep}},
              "enable_auto_colls": False}
    path = workdir / "config.yaml"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def serve(data_dir: Path, *, port: int = 8080) -> int:
    """Run pywb over ``data_dir`` until it exits or this process is interrupted; return its exit code."""
    python = replay_python()
    with tempfile.TemporaryDirectory(prefix="speechcrawl-replay-") as tmp:
        config = write_config(data_dir, Path(tmp))
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        # The server is a script that imports nothing of ours, so any interpreter with pywb can run it.
        proc = subprocess.Popen([python, str(_SERVER), str(config), "--host", HOST, "--port", str(port)],
                                stdin=subprocess.DEVNULL)
        try:
            return proc.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop_child(proc, "pywb")
