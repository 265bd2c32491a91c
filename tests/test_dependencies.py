"""The dependency rule: cleaners/ and archive/ never pull in Scrapy (or each other)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("cleaners", ["scrapy", "crawler", "spiders", "archive", "sqlite3"]),
        ("archive", ["scrapy", "crawler", "spiders", "cleaners", "lxml"]),
        ("archive.export, archive.parquet", ["crawler", "zstandard", "pyarrow", "numpy"]),
        ("spiders.profiles", ["crawler"]),
    ],
)
def test_package_imports_stay_one_way(package: str, forbidden: list[str]) -> None:
    code = (
        f"import sys, {package}\n"
        f"bad = [m for m in {forbidden!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{package} imported {out}"
