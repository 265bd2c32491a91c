"""docs/adding-a-site.md, followed step by step on the sandbox's tutorial site (zhengfu).

Every ``$ speechcrawl …`` line of the tutorial is run in order (profiles and fixtures go to
tmp dirs, never into the repository), the first line of its output must have the documented
shape, and the one file the tutorial has you write — the ``[clean]`` table of the profile — is
written exactly as the document shows it.  At the end the crawl must match the site's gold
records: mean F1 of at least 0.95, no leaked line (nor in the unedited proposal's records), and
every record dated by the page's publication date, as the gold is, where the unedited proposal dated
some by the meeting date under the speaker.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from quality.metrics import bigram_f1
from sandbox import SandboxProcess
from sandbox.gold import gold_records
from tests import CLI

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parents[1] / "docs" / "adding-a-site.md"
DOC_ORIGIN = "http://127.0.0.1:8606"
EDIT_MARK = "<!-- tutorial: replace [clean] -->"


def steps(text: str) -> Iterator[tuple[str, str, str]]:
    """("run", command, first output line) and ("edit", toml, "") in document order."""
    edit_next = False
    for m in re.finditer(r"^(<!-- tutorial: [^>]*-->)$|^```(\w*)\n(.*?)^```$", text, re.M | re.S):
        if m.group(1):
            edit_next = m.group(1) == EDIT_MARK
            continue
        lang, body = m.group(2), m.group(3)
        if lang == "toml" and edit_next:
            edit_next = False
            yield "edit", body, ""
        elif lang == "console":
            lines = body.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("$ "):
                    first = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("$ ") else ""
                    yield "run", line[2:], first


def _shape(line: str) -> str:
    """A documented output line as a pattern: numbers and spacing may differ, the words may not."""
    out = []
    for piece in re.split(r"(\d+|\s+)", line):
        out.append(r"\d+" if piece.isdigit() else r"\s+" if piece.isspace() else re.escape(piece))
    return "".join(out)


def _leaks(records: dict[str, dict[str, Any]], gold: list[dict[str, Any]]) -> int:
    return sum(1 for g in gold if g["url"] in records for s in g["must_not_contain"] if s in records[g["url"]]["text"])


def _misdated(records: dict[str, dict[str, Any]], gold: list[dict[str, Any]]) -> int:
    return sum(1 for g in gold if g["url"] in records and records[g["url"]]["date"] != g["date"])


def test_the_tutorial_works_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the tutorial's relative paths (tutorial-data, *.jsonl) land here
    profiles, fixtures = tmp_path / "profiles", tmp_path / "fixtures"
    todo = list(steps(DOC.read_text(encoding="utf-8")))
    assert [kind for kind, _, _ in todo].count("edit") == 1 and len(todo) >= 10
    with SandboxProcess(sites=["zhengfu"]) as sb:
        origin = sb.urls["zhengfu"]
        for kind, body, first in todo:
            if kind == "edit":
                path = profiles / "linjiang.toml"
                text = path.read_text(encoding="utf-8")
                path.write_text(text[: text.index("[clean]")] + body, encoding="utf-8")
                continue
            args = shlex.split(body.replace(DOC_ORIGIN, origin))
            if args[1:3] == ["sandbox", "serve"]:
                continue  # the fixture serves the tutorial site on a free port
            assert args[0] == "speechcrawl"
            args = args[1:]
            if args[0] in ("site", "crawl"):
                args += ["--profiles", str(profiles)] + (["--fixtures", str(fixtures)] if args[0] == "site" else [])
            expected = 1 if re.search(r"CHANGED|BROKEN|warning", first) else 0
            if args[0] in ("site", "crawl") and ("new" in args[1:2] or "--live" in args or args[0] == "crawl"):
                proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)
                code, out = proc.returncode, proc.stdout + proc.stderr
            else:  # no reactor needed: run in this process
                code = main(args)
                out = capsys.readouterr().out
            assert code == expected, f"$ {body}\n{out}"
            assert re.match(_shape(first.replace(DOC_ORIGIN, origin)), out.splitlines()[0] if out else ""), \
                f"$ {body}\nexpected: {first}\ngot:      {out.splitlines()[:1]}"
        gold = gold_records("zhengfu", origin)
    final = {r["url"]: r for r in map(json.loads, (tmp_path / "linjiang.jsonl").read_text(encoding="utf-8")
                                      .splitlines())}
    first_try = {r["url"]: r for r in map(json.loads, (tmp_path / "linjiang-first.jsonl").read_text(encoding="utf-8")
                                          .splitlines())}
    assert set(final) == {g["url"] for g in gold}
    mean = sum(bigram_f1(final[g["url"]]["text"], g["text"]) for g in gold) / len(gold)
    with capsys.disabled():
        print(f"\ntutorial site: mean F1 {mean:.4f} over {len(gold)} records, {_leaks(final, gold)} leaks, "
              f"{_misdated(final, gold)} dated otherwise than the page (unedited proposal: {_leaks(first_try, gold)} "
              f"leaks, {_misdated(first_try, gold)} dated otherwise, in {len(first_try)} records)")
    assert mean >= 0.95
    assert _leaks(final, gold) == 0 == _leaks(first_try, gold)
    assert _misdated(final, gold) == 0 < _misdated(first_try, gold)
    assert {r["site"] for r in final.values()} == {"linjiang"} and all(r["mode"] == "profile" for r in final.values())
