"""``speechcrawl export`` end to end on a real crawl of the sandbox: schema, loaders, clusters, bad input.

The crawl is shared (session fixture ``sandbox_crawl``); every export writes under its
own tmp_path, in process through ``crawler.cli.main``, with one subprocess smoke test.
"""

from __future__ import annotations

import gzip
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import zstandard
from jsonschema import Draft202012Validator

from corpus.schema import FIELDS
from crawler.cli import main
from sandbox.sites.wendang import SEED_KEY
from tests import run_cli

pytestmark = pytest.mark.slow
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs/schema/record-v1.json").read_text(encoding="utf-8"))
Crawl = tuple[Path, list[dict[str, Any]]]


def _export(data: Path, out: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["export", "--data", str(data), "--out", str(out), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _lines(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


def _spun_pair(records: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(copy, original) of the sandbox's spun republication, found through the gold's copy_of."""
    from sandbox.gold import gold_records

    wenmi = [r for r in records if r["site"] == "wenmi"]
    gold = next(g for g in gold_records("wenmi", wenmi[0]["url"].split("/wmgz/")[0]) if g.get("copy_of"))
    by_url = {r["url"]: r for r in wenmi}
    return by_url[gold["url"]], by_url[gold["copy_of"]]


def test_default_export_is_valid_and_loads_in_pandas(sandbox_crawl: Crawl, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data, every = sandbox_crawl
    out = tmp_path / "speeches.jsonl"
    code, stdout, _ = _export(data, out, capsys=capsys)
    assert code == 0
    records = _lines(out.read_bytes())
    removed = len(every) - len(records)
    assert stdout == f"{len(records)} records written to {out}; 0 skipped by filter; {removed} removed as duplicates\n"
    assert 40 < removed < 100
    validator = Draft202012Validator(SCHEMA)
    for record in records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], (record["id"], errors)
        assert record["dup"]["of"] is None and record["schema_version"] == "1" and record["cleaner_version"]
    frame = pd.read_json(out, lines=True, dtype=False)
    assert list(frame.columns) == list(FIELDS) and len(frame) == len(records)
    assert set(frame["site"]) == {"wenmi", "fanwen", "wendang", "sucai", "ribao"}


def test_clusters_in_the_sandbox(sandbox_crawl: Crawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = sandbox_crawl
    out = tmp_path / "all.jsonl"
    assert _export(data, out, "--keep-dups", capsys=capsys)[0] == 0
    records = _lines(out.read_bytes())
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        clusters[record["dup"]["cluster"]].append(record)
        assert record["dup"]["size"] == len([r for r in records if r["dup"]["cluster"] == record["dup"]["cluster"]])
    seed = {r["part"]["index"]: r["dup"]["cluster"] for r in records if SEED_KEY in r["url"]}
    assert seed[3] == seed[5] == seed[7] == seed[9], "seed 002's near-copy 篇 cluster together"
    assert len({seed[k] for k in (1, 2, 4, 6, 8)} | {seed[3]}) == 6, "different speeches, same title: apart"
    copy, original = _spun_pair(records)
    assert copy["dup"]["cluster"] == original["dup"]["cluster"], "the spun copy clusters with its original"
    across = [m for m in clusters.values() if len({r["url"] for r in m}) > 1]
    assert [{r["url"] for r in m} for m in across] == [{copy["url"], original["url"]}], "no other cross-page cluster"


def test_the_spun_pair_clusters_only_when_both_are_selected(sandbox_crawl: Crawl, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data, every = sandbox_crawl
    copy, original = _spun_pair(every)
    out = tmp_path / "wenmi.jsonl"
    code, stdout, _ = _export(data, out, "--site", "wenmi", capsys=capsys)
    assert code == 0 and stdout.endswith(f"; {len(every) - 20} skipped by filter; 1 removed as duplicates\n")
    kept = {r["url"] for r in _lines(out.read_bytes())}
    assert len(kept & {copy["url"], original["url"]}) == 1
    only = next(i for i, (a, b) in enumerate(zip(copy["text"], original["text"], strict=False)) if a != b)
    marker = copy["text"][max(0, only - 4):only + 4]  # spun wording that the original does not have
    assert marker not in original["text"]
    code, stdout, _ = _export(data, out, "--contains", marker, capsys=capsys)
    assert code == 0 and stdout.startswith("1 records written") and "0 removed as duplicates" in stdout
    assert _lines(out.read_bytes())[0]["dup"] == {"cluster": copy["id"], "of": None, "similarity": 1.0, "size": 1}


def test_compressed_jsonl_and_parquet_hold_the_same_records(sandbox_crawl: Crawl, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = sandbox_crawl
    plain, gz, zst, parquet = (tmp_path / n for n in ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst", "a.parquet"))
    for out in (plain, gz, zst, parquet):
        assert _export(data, out, "--masks", "keep", capsys=capsys)[0] == 0
    expected = _lines(plain.read_bytes())
    assert _lines(gzip.decompress(gz.read_bytes())) == expected
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(zst.read_bytes())) as reader:
        assert _lines(reader.read()) == expected
    rows = pq.read_table(parquet).to_pylist()
    assert [(r["id"], r["text"], r["masks"], r["dup"], r["part"], r["provenance"]) for r in rows] == [
        (r["id"], r["text"], r["masks"], r["dup"], r["part"], r["provenance"]) for r in expected]
    assert [dict(r["audit"]) for r in rows] == [r["audit"] for r in expected]
    frame = pd.read_parquet(parquet)
    assert list(frame.columns) == list(FIELDS) and len(frame) == len(expected)
    by_site = dict(duckdb.sql(f"SELECT site, count(*) FROM '{parquet}' GROUP BY site").fetchall())
    assert by_site == {s: sum(r["site"] == s for r in expected) for s in by_site} and sum(by_site.values()) == len(expected)
    dupes = duckdb.sql(f"SELECT count(*) FROM read_json_auto('{plain}') WHERE dup.size > 1").fetchall()
    assert dupes == [(sum(r["dup"]["size"] > 1 for r in expected),)]


def test_filters_fields_and_format(sandbox_crawl: Crawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, every = sandbox_crawl
    out = tmp_path / "subset.data"
    code, stdout, _ = _export(data, out, "--site", "fanwen,wendang", "--since", "2023-06", "--min-chars", "800",
                              "--fields", "site,date,text,dup", "--format", "parquet", "--dedup", "exact", capsys=capsys)
    assert code == 0
    rows = pq.read_table(out).to_pylist()
    assert rows and all(list(r) == ["site", "date", "text", "dup"] for r in rows)
    assert all(r["site"] in ("fanwen", "wendang") and r["date"] >= "2023-06-01" and len(r["text"]) >= 800 for r in rows)
    selected = [r for r in every if r["site"] in ("fanwen", "wendang") and (r["date"] or "") >= "2023-06-01"
                and len(r["text"]) >= 800]
    removed = len(selected) - len(rows)
    assert stdout.endswith(f"; {len(every) - len(selected)} skipped by filter; {removed} removed as duplicates\n")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--fields", "id,titel"], 2, "unknown field(s) titel; a record has: id, site"),
    (["--since", "2023-02-30"], 2, "bad date '2023-02-30': 2023-02 has 28 days"),
    (["--since", "2024", "--until", "2023"], 2, "--since 2024-01-01 is after --until 2023-12-31"),
    (["--format", "jsonl", "--out-name", "x.parquet"], 2, "--format jsonl but x.parquet ends in .parquet"),
    (["--threshold", "1.5"], 2, "--threshold must be in (0, 1], not 1.5"),
    (["--min-chars", "-3"], 2, "--min-chars must be 0 or more"),
    (["--site", "wenmi,wenmii"], 2, "no records of site wenmii in the catalog (sites: fanwen, ribao, sucai, wendang, "
                                    "wenmi)"),
    (["--data-name", "missing"], 1, "no catalog at"),
    (["--data-name", "not-a-catalog"], 1, "file is not a database"),
])
def test_bad_input(sandbox_crawl: Crawl, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
                   message: str) -> None:
    data, out = sandbox_crawl[0], tmp_path / "out.jsonl"
    if "--out-name" in args:
        out = tmp_path / args.pop(args.index("--out-name") + 1)
        args.remove("--out-name")
    if "--data-name" in args:
        data = tmp_path / args.pop(args.index("--data-name") + 1)
        args.remove("--data-name")
        if data.name == "not-a-catalog":
            data.mkdir()
            (data / "catalog.sqlite").write_bytes(b"this is not SQLite" * 100)
    got, stdout, stderr = _export(data, out, *args, capsys=capsys)
    assert (got, stdout) == (code, "")
    assert stderr.startswith("speechcrawl: error: ") and message in stderr, stderr
    assert not out.exists()


def test_unknown_choice_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--out", "x.jsonl", "--dedup", "fuzzy"])
    assert exit_info.value.code == 2 and "invalid choice: 'fuzzy'" in capsys.readouterr().err


def test_real_entry_point_writes_parquet_and_card(sandbox_crawl: Crawl, tmp_path: Path) -> None:
    data, _ = sandbox_crawl
    out = tmp_path / "corpus.parquet"
    proc = run_cli("export", "--data", str(data), "--out", str(out), "--card", "--progress", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith(f"; card: {tmp_path / 'corpus.card.md'}\n")
    assert "dedup" in proc.stderr and "write" in proc.stderr and "100%" in proc.stderr
    written = int(proc.stdout.split()[0])
    assert pq.read_metadata(out).num_rows == written
    assert duckdb.sql(f"SELECT count(DISTINCT id) FROM '{out}'").fetchall() == [(written,)]
    card = (tmp_path / "corpus.card.md").read_text(encoding="utf-8")
    assert f"{written} records (parquet)" in card and "| wendang |" in card and "sha256" in card


def test_dedup_settings_are_read_at_export_time(sandbox_crawl: Crawl, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """``-s SPEECHCRAWL_EXPORT_DEDUP*`` reaches the export (they used to be frozen at import)."""
    data, _ = sandbox_crawl
    default, strict, off = tmp_path / "default.jsonl", tmp_path / "strict.jsonl", tmp_path / "off.jsonl"
    assert _export(data, default, capsys=capsys)[0] == 0
    assert _export(data, strict, "-s", "SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD=0.99", capsys=capsys)[0] == 0
    assert _export(data, off, "-s", "SPEECHCRAWL_EXPORT_DEDUP=none", capsys=capsys)[0] == 0
    counts = [len(_lines(p.read_bytes())) for p in (default, strict, off)]
    assert counts[0] < counts[1] < counts[2], counts  # near dups removed at 0.5, fewer at 0.99, none when off
    code, _, err = _export(data, tmp_path / "x.jsonl", "-s", "DOWNLOAD_DELAY=1", capsys=capsys)
    assert code == 2 and "this command takes NAME=VALUE for SPEECHCRAWL_EXPORT_DEDUP" in err
    code, _, err = _export(data, tmp_path / "x.jsonl", "-s", "SPEECHCRAWL_EXPORT_DEDUP_SHINGLE=five", capsys=capsys)
    assert code == 2 and "expected a int" not in err and "SPEECHCRAWL_EXPORT_DEDUP_SHINGLE=five" in err


def test_dedup_defaults_are_the_settings_defaults() -> None:
    from corpus.dedup import DedupOptions
    from crawler.settings import (
        SPEECHCRAWL_EXPORT_DEDUP,
        SPEECHCRAWL_EXPORT_DEDUP_SHINGLE,
        SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD,
    )

    assert DedupOptions() == DedupOptions(mode=SPEECHCRAWL_EXPORT_DEDUP, threshold=SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD,
                                          shingle=SPEECHCRAWL_EXPORT_DEDUP_SHINGLE)
