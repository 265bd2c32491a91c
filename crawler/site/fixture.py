"""A site's fixture: the WARC of a few real fetches and the records they must give.

``<profiles>/fixtures/<site>/`` (beside the profile file; spiders.profiles.fixture_dir) holds ``fixture.json`` (where and when it was recorded), the WARC
files of the fetches (kept as written, so the fixture is provenance too) and ``expected.jsonl``:
the records that replaying those fetches through the profile and the cleaners gave when a
maintainer last accepted the output.  Records are kept in a stable order with only the fields a
researcher reads, so that a diff shows what changed for them, not WARC offsets or fetch times.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["FIELDS", "Fixture", "FixtureError", "Manifest", "project", "record_key"]

"""Where fixtures live in a source checkout (the default of ``--fixtures``)."""
FIELDS = ("id", "url", "pages", "part", "title", "speaker", "speaker_title", "occasion", "date", "source", "text",
          "masks", "mode")
"""What ``site check`` compares: what a researcher reads of a record."""
_MANIFEST = "fixture.json"
_EXPECTED = "expected.jsonl"


class FixtureError(RuntimeError):
    """A fixture is missing or unreadable; the message names the file and the command that makes one."""


def record_key(record: Mapping[str, Any]) -> tuple[str, int]:
    part = record.get("part")
    return str(record["url"]), int(part["index"]) if part else 0


def project(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The compared fields of each record, sorted by URL and part."""
    return sorted(({f: r.get(f) for f in FIELDS} for r in records), key=record_key)


@dataclass(frozen=True, kw_only=True)
class Manifest:
    site: str
    origin: str
    """scheme://host:port the pages were fetched from; the profile is rebased onto it to replay."""
    crawl_id: str
    recorded_at: str
    how: str
    """The command that recorded the fetches."""
    scope: str = ""
    """Which pages were fetched (the health monitors' scope): a live check of the same scope compares."""


@dataclass(frozen=True)
class Fixture:
    directory: Path
    manifest: Manifest

    @property
    def warcs(self) -> list[Path]:
        return sorted(self.directory.glob("*.warc.gz"))

    @property
    def expected_path(self) -> Path:
        return self.directory / _EXPECTED

    @classmethod
    def load(cls, directory: Path) -> Fixture:
        path = directory / _MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = Manifest(**data)
        except FileNotFoundError:
            raise FixtureError(f"{directory}: no fixture (run `speechcrawl site check --live "
                               f"{directory.name} --update` to record one)") from None
        except (ValueError, TypeError) as exc:
            raise FixtureError(f"{path}: unreadable fixture manifest: {exc}") from exc
        fixture = cls(directory, manifest)
        if not fixture.warcs:
            raise FixtureError(f"{directory}: no *.warc.gz next to {_MANIFEST}")
        return fixture

    def expected(self) -> list[dict[str, Any]]:
        try:
            lines = self.expected_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise FixtureError(f"{self.expected_path}: missing (run `speechcrawl site check "
                               f"{self.manifest.site} --update`)") from None
        try:
            return [json.loads(line) for line in lines if line.strip()]
        except ValueError as exc:
            raise FixtureError(f"{self.expected_path}: not JSON lines: {exc}") from exc

    def write_expected(self, records: Iterable[Mapping[str, Any]]) -> None:
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in project(records))
        self.expected_path.write_text(text, encoding="utf-8")

    @classmethod
    def create(cls, directory: Path, manifest: Manifest, warcs: Iterable[Path]) -> Fixture:
        """A new fixture from freshly written WARC files (an older fixture there is replaced)."""
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.warc.gz"):
            old.unlink()
        for path in warcs:
            shutil.copyfile(path, directory / path.name)
        (directory / _MANIFEST).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        return cls(directory, manifest)
