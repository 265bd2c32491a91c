"""Stream records to Parquet, with column types derived from the records' JSON Schema.

Parquet needs a fixed column type up front, and inferring types from the first rows
goes wrong exactly where researchers get hurt: a column that is null in the first row
group (``speaker``, ``dup``) would be typed ``null`` and the next group would fail or be
coerced.  So the Arrow schema is derived from the JSON Schema the records are
published under: objects with properties become structs, objects with only
``additionalProperties`` (the audit) become maps, arrays become lists.

pyarrow is an optional dependency (``pip install 'speechcrawl[parquet]'``) imported
only here, inside the functions, so this package still imports with the standard
library and warcio alone.  Like JSONL, the file appears under its name only once
complete, and memory is bounded by one row group of Arrow arrays plus 1,000 records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from archive.exceptions import ArchiveError
from archive.files import replaced_when_done

__all__ = ["write_parquet", "arrow_schema", "ROW_GROUP"]

ROW_GROUP = 5_000
"""Records per row group (a few MB on disk for speeches)."""
_CHUNK = 1_000
"""Records held as Python objects at once: each chunk becomes Arrow arrays, ~5x smaller, right away."""

_SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_"}


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (the submodule the writer needs)
    except ImportError as exc:
        raise ArchiveError("Parquet output needs pyarrow: pip install 'speechcrawl[parquet]' "
                           "(or write JSONL: --format jsonl)") from exc
    return pyarrow


def _arrow_type(pa: Any, spec: Mapping[str, Any], where: str) -> Any:
    kinds = spec.get("type")
    kind = next((k for k in kinds if k != "null"), None) if isinstance(kinds, list) else kinds
    if kind in _SCALARS:
        return getattr(pa, _SCALARS[kind])()
    if kind == "array":
        return pa.list_(_arrow_type(pa, spec["items"], where + "[]"))
    if kind == "object" and "properties" in spec:
        return pa.struct([pa.field(name, _arrow_type(pa, sub, f"{where}.{name}"))
                          for name, sub in spec["properties"].items()])
    if kind == "object" and isinstance(spec.get("additionalProperties"), Mapping):
        return pa.map_(pa.string(), _arrow_type(pa, spec["additionalProperties"], where + "{}"))
    raise ArchiveError(f"no Parquet type for {where}: JSON Schema type {kinds!r}")


def arrow_schema(json_schema: Mapping[str, Any], fields: Sequence[str] | None = None) -> Any:
    """The ``pyarrow.Schema`` for records following ``json_schema`` (only ``fields``, in that order)."""
    pa = _pyarrow()
    properties = json_schema["properties"]
    names = list(fields) if fields else list(properties)
    missing = [n for n in names if n not in properties]
    if missing:
        raise ArchiveError(f"fields not in the schema: {', '.join(missing)}")
    return pa.schema([pa.field(n, _arrow_type(pa, properties[n], n)) for n in names])


def write_parquet(records: Iterable[Mapping[str, object]], out: Path, json_schema: Mapping[str, Any], *,
                  fields: Sequence[str] | None = None, row_group: int = ROW_GROUP) -> int:
    """Write ``records`` to ``out`` (zstd-compressed columns); return how many.

    A record that does not fit the schema raises ArchiveError naming the row group,
    and leaves nothing under ``out``'s name.
    """
    pa = _pyarrow()
    schema = arrow_schema(json_schema, fields)
    count = 0
    chunk: list[Mapping[str, object]] = []
    group: list[Any] = []  # Arrow record batches of the row group being filled
    with replaced_when_done(out) as part:
        with pa.parquet.ParquetWriter(str(part), schema, compression="zstd") as writer:
            for record in records:
                chunk.append(record)
                if len(chunk) >= min(_CHUNK, row_group):
                    group.append(_arrow_batch(pa, schema, chunk, count))
                    count += len(chunk)
                    chunk = []
                    if sum(b.num_rows for b in group) >= row_group:
                        writer.write_table(pa.Table.from_batches(group))
                        group = []
            if chunk or count == 0:
                group.append(_arrow_batch(pa, schema, chunk, count))
                count += len(chunk)
            if group:
                writer.write_table(pa.Table.from_batches(group))
    return count


def _arrow_batch(pa: Any, schema: Any, chunk: list[Mapping[str, object]], done: int) -> Any:
    try:
        return pa.RecordBatch.from_pylist(chunk, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ArchiveError(f"records {done + 1}..{done + len(chunk)} do not fit the schema: {exc}") from exc
