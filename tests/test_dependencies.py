"""The dependency rule of docs/architecture.md: packages form layers, imports only go down, no cycles.

Checked twice: statically over every module (imports inside functions and under TYPE_CHECKING
count too), and by importing packages in a fresh interpreter to see what they really pull in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED: dict[str, set[str]] = {
    "cleaners": set(),
    "archive": set(),
    "sandbox": set(),
    "spiders": {"cleaners", "archive"},
    "corpus": {"cleaners", "archive", "spiders"},
    "quality": {"cleaners", "spiders", "sandbox"},
    "crawler": {"cleaners", "archive", "spiders", "corpus", "quality", "sandbox"},
}
"""Package -> the packages of ours it may import (docs/architecture.md, "The dependency rule")."""
CLI_MODULES = ("crawler.cli", "crawler.commands")


def _modules() -> dict[str, Path]:
    out = {}
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            if "fixtures" in path.relative_to(ROOT).parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module of ours that ``name`` imports anywhere in its source."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] in ALLOWED:
                yield target
                yield from (f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] in ALLOWED)


GRAPH = {name: {t for t in _imports(name, path) if t != name} for name, path in MODULES.items()}


def test_every_package_imports_only_the_layers_below_it() -> None:
    bad = [f"{m} imports {t}" for m, targets in GRAPH.items() for t in targets
           if t.split(".")[0] != m.split(".")[0] and t.split(".")[0] not in ALLOWED[m.split(".")[0]]]
    assert bad == []


def test_no_library_module_imports_the_cli() -> None:
    bad = [f"{m} imports {t}" for m, targets in GRAPH.items() if not m.startswith(CLI_MODULES)
           for t in targets if t.startswith(CLI_MODULES)]
    assert bad == []


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over module imports (a package's own
    ``__init__`` re-exports are not edges back: only what a module names is)."""
    graph = {m: {t for t in targets if t in MODULES} for m, targets in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_rule_sees_real_edges() -> None:
    """The static check must not pass because it finds nothing: known edges are there."""
    assert "corpus.catalog" in GRAPH["crawler.runner"]
    assert "cleaners" in GRAPH["corpus.records"]
    assert "sandbox.faults.rule" in GRAPH["sandbox.faults.modes"]  # a TYPE_CHECKING-free, plain import


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("cleaners", ["scrapy", "crawler", "spiders", "archive", "corpus", "sqlite3"]),
        ("archive", ["scrapy", "crawler", "spiders", "cleaners", "corpus", "lxml"]),
        ("archive.contents, archive.wacz, archive.cdxj", ["scrapy", "crawler", "spiders", "cleaners", "lxml"]),
        ("corpus.export, corpus.rebuild, corpus.stats", ["scrapy", "twisted", "crawler", "pyarrow"]),
        ("corpus.formats.jsonl, corpus.formats.parquet", ["crawler", "zstandard", "pyarrow", "numpy"]),
        ("quality.scoring, quality.health, quality.realpages", ["scrapy", "twisted", "crawler"]),
        ("sandbox.server, sandbox.gold", ["scrapy", "crawler", "spiders", "cleaners", "lxml"]),
        ("spiders.profiles", ["crawler", "corpus"]),
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


COMPONENT_FOLDERS = ("crawler/commands/", "crawler/pipelines/", "crawler/downloadermiddlewares/",
                     "crawler/spidermiddlewares/", "crawler/extensions/")
"""Where a module is named after the noun it wires in (``crawler/pipelines/warc.py`` for ``archive/warc.py``)."""
SAME_NOUN = {"chrome.py": "site chrome: what the sandbox writes (sandbox/sites) and the cleaners remove",
             "server.py": "each of the sandbox, pywb replay and the review app has its own server process"}


def test_no_module_name_means_two_things() -> None:
    """A module name repeats only where it names the same thing: a library module and the Scrapy
    component or CLI command that wires it in, or the pairs in SAME_NOUN."""
    by_name: dict[str, list[str]] = {}
    for path in MODULES.values():
        if path.name != "__init__.py":
            by_name.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    twins = {base: paths for base, paths in by_name.items()
             if len([p for p in paths if not p.startswith(COMPONENT_FOLDERS)]) > 1 and base not in SAME_NOUN}
    assert twins == {}
