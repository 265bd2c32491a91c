"""End to end: crawls of a broken sandbox, one fault mode per site, through the real CLI.

For each fault mode the crawl must finish, every record not hit by the fault must be exported with
exactly the clean crawl's text, every hit page must be listed as failed with the expected kind (and
by ``speechcrawl crawls show``), nothing may be exported twice, and the archive must verify.  The
expectations come from tests.harness.scenarios (gold data and the fault rules), never from the
crawler; bench/reliability.py runs the same batches for docs/reliability.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corpus.catalog import Catalog
from crawler.cli import main
from tests.harness.crawls import Result, run_batch, texts_of
from tests.harness.scenarios import BATCHES, Batch, Scenario

pytestmark = pytest.mark.slow

CASES = [(batch, scenario) for batch in BATCHES for scenario in batch.scenarios]


@pytest.fixture(scope="module")
def outcomes(clean_crawl: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each batch is crawled once, on first use."""
    return {"clean": texts_of(clean_crawl["records"]), "work": tmp_path_factory.mktemp("faults"), "done": {}}


def _outcome(outcomes: dict[str, Any], batch: Batch) -> tuple[list[Result], list[str]]:
    if batch.name not in outcomes["done"]:
        outcomes["done"][batch.name] = run_batch(batch, outcomes["work"], outcomes["clean"])
    result: tuple[list[Result], list[str]] = outcomes["done"][batch.name]
    return result


@pytest.mark.parametrize(("batch", "scenario"), CASES, ids=[f"{s.site}-{s.fault.split(':')[0]}" for _, s in CASES])
def test_fault_mode(outcomes: dict[str, Any], batch: Batch, scenario: Scenario) -> None:
    results, archive = _outcome(outcomes, batch)
    result = next(r for r in results if r.scenario == scenario)
    assert result.problems == [], result.problems
    assert result.lost == 0 and result.duplicates == 0
    assert archive == []
    if scenario.outcome == "failed":
        assert 0 < result.failed < result.expected.records
        assert result.exported == len(result.expected.intact | result.expected.partial)
    elif scenario.outcome != "bounded":
        assert result.exported == result.expected.records


def test_crawls_show_lists_the_failed_pages(outcomes: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    batch = BATCHES[0]
    results, _ = _outcome(outcomes, batch)
    data: Path = outcomes["work"] / batch.name.replace(" ", "-")
    assert main(["crawls", "--data", str(data)]) == 0
    crawl_id = capsys.readouterr().out.splitlines()[1].split()[0]
    assert main(["crawls", "show", crawl_id, "--data", str(data)]) == 0
    shown = capsys.readouterr().out
    assert f"failed pages: {sum(r.failed for r in results)}" in shown
    for kind in ("data_loss", "timeout", "truncated_body", "redirect_loop"):
        assert f"  {kind} " in shown
    assert " 503  http " in shown and "HTTP 503 Service Unavailable (after 3 retries)" in shown


def test_non_html_is_archived_but_not_cleaned(outcomes: dict[str, Any]) -> None:
    batch = next(b for b in BATCHES if any(s.fault.startswith("non-html") for s in b.scenarios))
    results, _ = _outcome(outcomes, batch)
    pdf = next(r for r in results if r.scenario.fault.startswith("non-html"))
    catalog = Catalog(outcomes["work"] / batch.name.replace(" ", "-") / "catalog.sqlite")
    archived = catalog.conn.execute("SELECT COUNT(*) FROM fetches WHERE content_type = 'application/pdf' "
                                    "AND warc_filename IS NOT NULL").fetchone()[0]
    catalog.close()
    assert archived == pdf.expected.hit == pdf.failed > 0
