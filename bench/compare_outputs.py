"""Every cleaning result of a tree as JSON, to show a speed change left the output alone.

    PYTHONPATH=TREE python bench/compare_outputs.py --dump OUT.json [--pages 2000] [--others 100]
    python bench/compare_outputs.py --diff BEFORE.json AFTER.json

``--dump`` cleans, with the cleaners of the tree on ``PYTHONPATH`` (run as a script, so that TREE need not
hold this file): the sandbox bench articles of
``bench.bench_clean`` (``--pages``) in generic mode and with each site's profile, the first ``--others``
articles of every other sandbox site (tutorial, shapes, held-out) in generic mode, the real pages
(tests/fixtures/realpages) and the dev-set and held-out pages (tests/fixtures/devset, the articles of
their devset.json) in generic mode, and the saved fixture pages (tests/fixtures/html, the cases of
gold.json) in generic mode and with their inline rules.  Each result (records with text, metadata, masks
and audit; mode; skip reason; page title) is written as one JSON value under a key naming its input.
``--diff`` lists the keys whose results differ and exits 1 when any does.  The inputs are read from the
tree this module belongs to, so the two dumps clean the same bytes.  Never run as a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from bench.bench_clean import build_corpus
from cleaners import Page, SiteRules, clean, decode_html

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _decoded(path: Path) -> str:
    return decode_html(path.read_bytes()).text or ""


def _site_articles(site: str, count: int) -> list[list[Page]]:
    from sandbox.sites import make_site

    s = make_site(site, count)
    out = []
    for i in range(count):
        bodies = [s.render_article(i, p).encode(s.encoding) for p in range(1, s.page_count(i) + 1)]
        out.append([Page(url=f"http://{site}.test{s.article_path(i, p + 1)}", html=decode_html(b).text or "")
                    for p, b in enumerate(bodies)])
    return out


def results(pages: int, others: int) -> dict[str, Any]:
    from sandbox import ALL_SITES, SITES
    from spiders.profiles import load_profiles

    out: dict[str, Any] = {}
    profiles = load_profiles()
    for i, article in enumerate(build_corpus(pages)):
        out[f"bench/{i}/{article.site}/generic"] = _plain(clean(article.pages, None))
        rules = profiles[article.site].rules if article.site in SITES else None
        out[f"bench/{i}/{article.site}/profile"] = _plain(clean(article.pages, rules))
    for site in (s for s in ALL_SITES if s not in SITES):
        for i, doc in enumerate(_site_articles(site, others)):
            out[f"sandbox/{site}/{i}/generic"] = _plain(clean(doc))
    for path in sorted((FIXTURES / "realpages").glob("*.html")):
        out[f"realpages/{path.stem}"] = _plain(clean([Page(url=f"file:///{path.name}", html=_decoded(path))]))
    for folder in (FIXTURES / "devset", FIXTURES / "devset" / "heldout"):
        cases = json.loads((folder / "devset.json").read_text("utf-8"))
        for name, case in sorted(cases.items()):
            if name.startswith("_"):
                continue
            doc = [Page(url=f"http://devset.test/{f}", html=_decoded(folder / f)) for f in case["pages"]]
            out[f"devset/{folder.name}/{name}"] = _plain(clean(doc))
    gold = json.loads((FIXTURES / "gold.json").read_text("utf-8"))
    for name, case in sorted(gold.items()):
        if name.startswith("_"):
            continue
        doc = [Page(url=f"http://fixture.test/{f}", html=_decoded(FIXTURES / "html" / f)) for f in case["pages"]]
        out[f"fixtures/{name}/generic"] = _plain(clean(doc))
        if case.get("rules"):
            rules = SiteRules(**{k: tuple(v) if isinstance(v, list) else v for k, v in case["rules"].items()})
            out[f"fixtures/{name}/rules"] = _plain(clean(doc, rules))
    for path in sorted((FIXTURES / "html").glob("*.html")):
        out[f"fixtures/page/{path.stem}"] = _plain(clean([Page(url=f"http://fixture.test/{path.name}",
                                                                 html=_decoded(path))]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path, metavar="OUT")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--others", type=int, default=100)
    parser.add_argument("--diff", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.dump is not None:
        out = results(args.pages, args.others)
        args.dump.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True, indent=0), "utf-8")
        print(f"{len(out)} results written to {args.dump}")
        return 0
    if args.diff is not None:
        before, after = (json.loads(p.read_text("utf-8")) for p in args.diff)
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        for key in differ:
            print(f"differs: {key}")
        print(f"{len(before)} and {len(after)} results compared: {len(differ)} differ")
        return 1 if differ else 0
    parser.print_usage()
    return 2


if __name__ == "__main__":
    sys.exit(main())
