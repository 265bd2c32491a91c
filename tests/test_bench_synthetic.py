"""The export benchmark's synthetic catalog: valid records, and its planted duplicates are what dedup finds."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from bench.synthetic import generate
from corpus.catalog import Catalog
from corpus.dedup import DedupOptions, find_clusters
from corpus.schema import RECORD_SCHEMA
from corpus.selection import Selection


def test_planted_duplicates_are_found_and_records_are_valid(tmp_path: Path) -> None:
    written, planted = generate(tmp_path / "catalog.sqlite", 1500)
    assert written == 1500 and 120 < planted < 240
    catalog = Catalog(tmp_path / "catalog.sqlite")
    selection = Selection(catalog)
    validator = Draft202012Validator(RECORD_SCHEMA)
    assert all(validator.is_valid(json.loads(raw)) for _, raw in selection.records())
    for mode in ("exact", "near"):
        clusters = find_clusters(selection.texts(), selection.text_of, selection.ids_of, DedupOptions(mode=mode))
        if mode == "exact":
            assert 0 < clusters.duplicates < planted
        else:
            assert clusters.duplicates == planted
    catalog.close()
