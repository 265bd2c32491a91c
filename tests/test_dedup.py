"""Duplicate clusters on the sandbox gold texts (no crawl needed) and on small hand-made cases."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from corpus.dedup import Clusters, DedupOptions, find_clusters
from corpus.minhash import jaccard, shingles
from sandbox import SITES
from sandbox.gold import gold_records
from sandbox.sites.wendang import SEED_KEY
from sandbox.writer import Writer, rng_for, spin_all


def _cluster(texts: list[str], **options: Any) -> Clusters:
    rows = list(enumerate(texts, start=100))  # rowids need not be positions
    return find_clusters(rows, lambda rowid: texts[rowid - 100], lambda rowids: {r: f"id{r}" for r in rowids},
                         DedupOptions(**options))


def _speech(seed: int, paragraphs: int = 6) -> str:
    w = Writer(rng_for("test-dedup", seed))
    return "\n".join(w.paragraph() for _ in range(paragraphs))


@pytest.fixture(scope="module")
def gold() -> tuple[list[dict[str, Any]], Clusters]:
    records = [g for site in SITES for g in gold_records(site, f"http://{site}.test")]
    return records, _cluster([g["text"] for g in records])


def _groups(records: list[dict[str, Any]], clusters: Clusters) -> list[list[dict[str, Any]]]:
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for position, record in enumerate(records):
        members[int(clusters.rep[position])].append(record)
    return [m for m in members.values() if len(m) > 1]


def test_seed_002_near_copies_form_one_cluster_and_the_other_parts_none(gold: Any) -> None:
    records, clusters = gold
    seed = [g for g in records if SEED_KEY in g["url"]]
    assert [g["part"]["index"] for g in seed] == list(range(1, 10))
    reps = {g["part"]["index"]: int(clusters.rep[records.index(g)]) for g in seed}
    assert len({reps[k] for k in (3, 5, 7, 9)}) == 1
    for k in (1, 2, 4, 6, 8):  # different speeches under the very same title
        assert clusters.size[records.index(seed[k - 1])] == 1, f"篇{k} clustered"


def test_the_spun_republication_clusters_with_its_original(gold: Any) -> None:
    records, clusters = gold
    copy = next(g for g in records if g.get("copy_of"))
    original = next(g for g in records if g["url"] == copy["copy_of"])
    a, b = records.index(copy), records.index(original)
    assert clusters.rep[a] == clusters.rep[b] and clusters.size[a] == 2
    member = a if clusters.is_duplicate(a) else b
    assert clusters.similarity[member] == pytest.approx(jaccard(shingles(copy["text"]), shingles(original["text"])))
    assert 0.8 < clusters.similarity[member] < 1.0


def test_no_cluster_joins_different_articles_except_the_spun_pair(gold: Any) -> None:
    records, clusters = gold
    across = [sorted({g["url"] for g in group}) for group in _groups(records, clusters)
              if len({g["url"] for g in group}) > 1]
    copy = next(g for g in records if g.get("copy_of"))
    assert across == [sorted([copy["url"], copy["copy_of"]])]
    assert 40 < clusters.duplicates < 100  # the wendang/fanwen compilations copy many of their own 篇


def test_exact_mode_only_merges_equal_text() -> None:
    a, b = _speech(1), _speech(2)
    clusters = _cluster([a, a.replace("\n", "\n  "), a[:-5], b], mode="exact")
    assert clusters.rep.tolist() == [0, 0, 2, 3]
    assert clusters.dup(1, "id101") == {"cluster": "id100", "of": "id100", "similarity": 1.0, "size": 2}
    assert clusters.dup(0, "id100") == {"cluster": "id100", "of": None, "similarity": 1.0, "size": 2}


def test_near_keeps_the_longest_and_reports_similarity_to_it() -> None:
    full = _speech(3, 10)
    cut = full[: len(full) * 3 // 4]
    spun = spin_all(full)
    other = _speech(4, 10)
    clusters = _cluster([cut, other, full, spun])
    longest = max((cut, full, spun), key=len)
    rep = [cut, other, full, spun].index(longest)
    assert clusters.rep.tolist() == [rep, 1, rep, rep]
    for position, text in ((0, cut), (2, full), (3, spun)):
        if position != rep:
            assert clusters.similarity[position] == pytest.approx(jaccard(shingles(text), shingles(longest)))
    assert clusters.size.tolist() == [3, 1, 3, 3] and clusters.duplicates == 2


def test_threshold_is_exact_not_estimated() -> None:
    base = _speech(5, 10)
    half = base[: len(base) // 2]
    similarity = jaccard(shingles(base), shingles(half))
    assert _cluster([base, half], threshold=similarity).size.tolist() == [2, 2]
    assert _cluster([base, half], threshold=similarity + 0.01).size.tolist() == [1, 1]


def test_empty_and_tiny_inputs() -> None:
    assert _cluster([]).rep.tolist() == []
    assert _cluster(["", "讲话"]).rep.tolist() == [0, 1]
    with pytest.raises(ValueError, match="threshold"):
        DedupOptions(threshold=0)
    with pytest.raises(ValueError, match="dedup mode"):
        DedupOptions(mode="fuzzy")  # type: ignore[arg-type]
