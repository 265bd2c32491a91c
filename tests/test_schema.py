"""The record schema is published three ways that must agree: code, docs/schema/record-v1.json, docs/export.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from corpus.schema import FIELDS, RECORD_SCHEMA, check_fields, schema_json
from crawler.cli import main
from tests import make_record

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_published_file_is_what_the_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == schema_json() == (DOCS / "schema" / "record-v1.json").read_text(encoding="utf-8"), (
        "regenerate: speechcrawl schema > docs/schema/record-v1.json")
    Draft202012Validator.check_schema(RECORD_SCHEMA)


def test_every_field_is_documented_with_an_example() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|[^|]+\|[^|]+\| (.+) \|$",
                                                        (DOCS / "export.md").read_text(encoding="utf-8"), re.M)}
    assert list(rows) == list(FIELDS)
    assert all(example.strip("` ") for example in rows.values())
    assert set(RECORD_SCHEMA["required"]) == set(FIELDS) and "mode" in FIELDS


def test_the_schema_accepts_a_record_and_rejects_drift() -> None:
    validator = Draft202012Validator(RECORD_SCHEMA)
    record = make_record("wenmi", 1, "同志们:", dup={"cluster": "a", "of": None, "similarity": 1.0, "size": 1},
                         part={"index": 3, "count": 9, "label": "篇3", "parent_id": "b"},
                         audit={"masks": {"count": 1, "chars": 6}})
    validator.validate(record)
    for change in ({"speeker": "吴锦"}, {"date": "2023/01/01"}, {"schema_version": "2"}, {"mode": "other"},
                   {"dup": {"cluster": "a", "of": None, "similarity": 1.5, "size": 1}}):
        assert not validator.is_valid({**record, **change}), change


def test_check_fields() -> None:
    assert check_fields(["text", "id"]) == ["text", "id"]
    with pytest.raises(ValueError, match="unknown field"):
        check_fields(["body"])
