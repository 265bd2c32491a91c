"""``site check`` offline: replay a site's fixture through the current profile and cleaners, diff the records.

A change to a profile or to the cleaners that alters what researchers get shows up here as a
diff a maintainer can read: which record, which field, which lines of text.  When the change is
wanted, ``--update`` writes the new output as the expected records.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.exceptions import ArchiveError
from crawler.site.fixture import FIELDS, Fixture, FixtureError, project, record_key
from crawler.site.offline import ArchivedPages, replay
from spiders.profiles import ProfileError, SiteProfile, fixture_dir, load_profile_set, profile_dirs

logger = logging.getLogger(__name__)

__all__ = ["CheckResult", "check_fixture", "check_sites", "diff_records", "select_profiles"]

_MAX_DIFF_LINES = 24
_MAX_LINE = 160


@dataclass
class CheckResult:
    site: str
    records: int
    diff: list[str] = field(default_factory=list)
    updated: bool = False
    notes: list[str] = field(default_factory=list)
    broken: bool = False
    """The fixture itself could not be read: --update would not help, recording it again does."""

    @property
    def ok(self) -> bool:
        return not self.diff or self.updated

    def report(self) -> str:
        if not self.diff:
            return f"{self.site}: ok ({self.records} records)"
        if self.updated:
            return f"{self.site}: updated ({self.records} records; {len(self.diff)} lines of changes accepted)"
        if self.broken:
            return "\n".join([f"{self.site}: FIXTURE DAMAGED", *self.diff])
        return "\n".join([f"{self.site}: CHANGED", *self.diff, *self.notes,
                          f"  run `speechcrawl site check {self.site} --update` if the new output is right"])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_LINE else text[:_MAX_LINE - 1] + "…"


def _text_diff(old: str, new: str) -> list[str]:
    lines = list(difflib.unified_diff((old or "").split("\n"), (new or "").split("\n"), "expected", "now",
                                      n=0, lineterm=""))[2:]
    shown = [f"        {line[:_MAX_LINE]}" for line in lines[:_MAX_DIFF_LINES]]
    if len(lines) > _MAX_DIFF_LINES:
        shown.append(f"        … {len(lines) - _MAX_DIFF_LINES} more diff lines")
    return shown


def _label(key: tuple[str, int]) -> str:
    return key[0] + (f" (part {key[1]})" if key[1] else "")


def diff_records(expected: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]]) -> list[str]:
    """Readable differences: records gone, records new, and field by field for the others."""
    old = {record_key(r): r for r in expected}
    new = {record_key(r): r for r in project(now)}
    out: list[str] = []
    for key in sorted(old.keys() - new.keys()):
        out.append(f"  - {_label(key)}: record no longer produced (title {_short(old[key].get('title'))})")
    for key in sorted(new.keys() - old.keys()):
        out.append(f"  + {_label(key)}: new record (title {_short(new[key].get('title'))})")
    for key in sorted(old.keys() & new.keys()):
        changed = [f for f in FIELDS if old[key].get(f) != new[key].get(f)]
        if not changed:
            continue
        out.append(f"  ~ {_label(key)}")
        for name in changed:
            if name == "text":
                before, after = str(old[key].get("text") or ""), str(new[key].get("text") or "")
                out.append(f"      text: {len(before)} -> {len(after)} characters")
                out += _text_diff(before, after)
            else:
                out.append(f"      {name}: {_short(old[key].get(name))} -> {_short(new[key].get(name))}")
    return out


def check_fixture(profile: SiteProfile, fixture: Fixture, *, update: bool = False) -> CheckResult:
    """Replay ``fixture`` through ``profile`` and compare with (or, with ``update``, replace) its records."""
    rebased = profile.rebased(fixture.manifest.origin)
    pages = ArchivedPages(fixture.warcs)
    result = replay(rebased, pages)
    records = project(result.records)
    check = CheckResult(site=profile.name, records=len(records))
    if pages.undecodable:
        url, why = next(iter(pages.undecodable.items()))
        check.notes.append(f"  note: {len(pages.undecodable)} archived bodies could not be decoded and were "
                           f"left out, e.g. {url}: {why}")
    expected = [] if update and not fixture.expected_path.exists() else fixture.expected()
    check.diff = diff_records(expected, records)
    if result.dropped:
        check.notes.append(f"  note: {len(result.dropped)} documents gave no record, e.g. {result.dropped[0]}")
    if update and (check.diff or not fixture.expected_path.exists()):
        fixture.write_expected(records)
        check.updated = True
    if not records and not update:
        check.diff.append(f"  the replay produced no record at all from {len(fixture.warcs)} WARC file(s)")
    return check


def select_profiles(names: Sequence[str], profiles_dir: Path | None = None) -> list[SiteProfile]:
    """The named profiles (all of them when none is named); an unknown name is a ProfileError."""
    found = load_profile_set(profiles_dir)
    profiles = found.profiles
    for name in names:
        if name in found.errors:
            raise found.errors[name]
    unknown = [n for n in names if n not in profiles]
    if unknown:
        where = ", ".join(str(d) for d in profile_dirs(profiles_dir))
        raise ProfileError(f"no profile named {', '.join(map(repr, unknown))} in {where} "
                           f"(known: {', '.join(sorted(profiles))})")
    return [profiles[n] for n in (names or sorted(profiles))]


def check_sites(names: Sequence[str], *, profiles_dir: Path | None, fixtures: Path | None = None,
                update: bool = False, tick: Callable[[], None] | None = None) -> list[CheckResult]:
    """``site check [NAME…]``: every named profile (or all, and every profile file that does not load)
    against its fixture (``FIXTURES/<name>/``, by default beside the profile); ``tick`` after each site."""
    results = []
    if not names:
        results += [CheckResult(site=stem, records=0, diff=[f"  {error}"])
                    for stem, error in sorted(load_profile_set(profiles_dir).errors.items())]
    for profile in select_profiles(names, profiles_dir):
        try:
            fixture = Fixture.load(fixture_dir(profile, fixtures))
        except FixtureError as exc:
            results.append(CheckResult(site=profile.name, records=0, diff=[f"  {exc}"]))
        else:
            try:
                results.append(check_fixture(profile, fixture, update=update))
            except ArchiveError as exc:  # a damaged fixture file: this site fails, the others are checked
                results.append(CheckResult(site=profile.name, records=0, broken=True, diff=[
                    f"  the fixture's WARC is damaged: {exc}",
                    f"  record it again: `speechcrawl site check --live {profile.name} --update`"]))
        if tick is not None:
            tick()
    return results
