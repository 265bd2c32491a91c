"""File formats an export writes: JSONL (plain, gzip, zstd) and Parquet (pyarrow, imported lazily)."""
