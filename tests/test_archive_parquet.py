"""write_parquet: Arrow types from the JSON Schema, nulls in any row group, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archive.exceptions import ArchiveError
from corpus.formats.parquet import arrow_schema, write_parquet

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "speaker": {"type": ["string", "null"]},
        "part": {"type": ["object", "null"], "properties": {"index": {"type": "integer"}, "label": {"type": "string"}}},
        "masks": {"type": "array", "items": {"type": "object", "properties": {"offset": {"type": "integer"}}}},
        "audit": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "count": {"type": "integer"}}}},
        "score": {"type": "number"},
        "ok": {"type": "boolean"},
    },
}


def _record(i: int) -> dict[str, object]:
    return {"id": f"r{i}", "speaker": "吴锦" if i % 3 == 0 else None, "part": {"index": i, "label": "篇三"} if i % 2 else None,
            "masks": [{"offset": i}], "audit": {"masks": {"count": i}} if i else {}, "score": i / 2, "ok": bool(i % 2)}


def test_types_come_from_the_json_schema() -> None:
    schema = arrow_schema(SCHEMA)
    assert schema.field("speaker").type == pa.string()
    assert schema.field("part").type == pa.struct([("index", pa.int64()), ("label", pa.string())])
    assert schema.field("masks").type == pa.list_(pa.struct([("offset", pa.int64())]))
    assert schema.field("audit").type == pa.map_(pa.string(), pa.struct([("count", pa.int64())]))
    assert (schema.field("score").type, schema.field("ok").type) == (pa.float64(), pa.bool_())
    assert arrow_schema(SCHEMA, ["ok", "id"]).names == ["ok", "id"]
    with pytest.raises(ArchiveError, match="not in the schema: nope"):
        arrow_schema(SCHEMA, ["id", "nope"])
    with pytest.raises(ArchiveError, match="no Parquet type for x"):
        arrow_schema({"properties": {"x": {"type": "object"}}})


def test_round_trip_across_row_groups(tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    records = [_record(i) for i in range(25)]
    assert write_parquet(iter(records), out, SCHEMA, row_group=10) == 25
    table = pq.read_table(out)
    assert pq.ParquetFile(out).metadata.num_row_groups == 3
    rows = table.to_pylist()
    for row in rows:
        row["audit"] = dict(row["audit"])  # maps come back as (key, value) pairs
    assert rows == records
    assert not (tmp_path / "c.parquet.part").exists()


def test_fields_and_empty_output(tmp_path: Path) -> None:
    out = tmp_path / "ids.parquet"
    assert write_parquet([{"id": "a", "ok": True}], out, SCHEMA, fields=["id"]) == 1
    assert pq.read_table(out).to_pylist() == [{"id": "a"}]
    assert write_parquet([], out, SCHEMA) == 0
    assert pq.read_table(out).num_rows == 0 and pq.read_table(out).schema.names[0] == "id"


def test_a_bad_record_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    out.write_bytes(b"old")
    with pytest.raises(ArchiveError, match=r"records 1\.\.2 do not fit the schema"):
        write_parquet([_record(1), {"id": 5}], out, SCHEMA)
    assert out.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [out]
