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
        ("archive.reprocess", ["scrapy", "crawler", "spiders", "cleaners", "lxml"]),
        ("archive.wacz", ["scrapy", "crawler", "spiders", "cleaners", "lxml"]),
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


def test_the_cli_starts_without_scrapy() -> None:
    """``speechcrawl archive verify`` must start fast on a machine with only the files: no Scrapy, no lxml."""
    code = "import sys, crawler.cli; print(','.join(m for m in ('scrapy', 'lxml', 'twisted', 'numpy', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"crawler.cli imported {out}"


def test_scrapy_still_decodes_brotli() -> None:
    """pywb depends on brotlipy, whose ``brotli`` package shadows the one Scrapy calls; the Makefile removes it."""
    import brotli
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    body = "<p>同志们：</p>".encode() * 100
    mw = HttpCompressionMiddleware.from_crawler(get_crawler())
    request = Request("http://s.test/")
    response = HtmlResponse("http://s.test/", body=brotli.compress(body), headers={"Content-Encoding": "br"})
    decoded = mw.process_response(request, response)
    assert decoded.body == body
