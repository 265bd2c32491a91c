"""Duplicate clusters over a selection of records: exact (same normalised text) or near (MinHash/LSH).

Near duplicates are pairs whose 5-character shingle sets have a Jaccard similarity of
at least ``threshold`` (default 0.5, ``SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD``); clusters
are the connected components of those pairs.  The pipeline, in order:

1. one streaming read of the texts: an 8-byte digest of the normalised text, its
   length, and 32 LSH band keys from a 96-slot MinHash signature (corpus.minhash),
   each band appended to its own temporary file so memory holds ~20 bytes a record;
2. exact groups: equal digests are merged without looking at the texts again;
3. candidates: per band, records with equal keys are paired with the first of them
   (3 slots a band: a pair at similarity 0.5 shares a band with probability 0.986,
   at 0.3 with 0.58, at 0.1 with 0.03);
4. verification: each candidate pair not yet in one cluster is compared on its real
   shingle sets and merged only at ``threshold`` or above, so LSH only ever saves
   work and the threshold is exact;
5. the representative of a cluster is its longest text (a truncated copy loses to
   the complete one), ties going to the first in export order; every other member
   gets its exact similarity to the representative.

Sandbox figures behind the threshold: near-copy 篇 and spun republications measure
0.49-1.0, different speeches on the same topic at most 0.31.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import numpy.typing as npt

from corpus.minhash import band_keys, hashed_jaccard, normalise, shingle_hashes, signatures

__all__ = ["DedupMode", "DedupOptions", "Clusters", "find_clusters"]

logger = logging.getLogger(__name__)

DedupMode = Literal["none", "exact", "near"]
_ROWS = 3  # slots per LSH band; corpus.minhash.BINS / _ROWS bands
_BATCH = 512
Tick = Callable[[int], None]


@dataclass(frozen=True)
class DedupOptions:
    """How duplicates are found.

    The defaults are those of the ``SPEECHCRAWL_EXPORT_DEDUP*`` settings (crawler/settings.py, where a
    user looks them up; a test keeps the two equal); commands build this from the settings, so
    ``-s SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD=0.7`` reaches it.
    """

    mode: DedupMode = "near"
    threshold: float = 0.5
    shingle: int = 5

    def __post_init__(self) -> None:
        if self.mode not in ("none", "exact", "near"):
            raise ValueError(f"unknown dedup mode {self.mode!r} (none, exact, near)")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"--threshold must be in (0, 1], not {self.threshold}")
        if self.shingle < 1:
            raise ValueError(f"shingle size must be 1 or more, not {self.shingle}")


@dataclass
class Clusters:
    """Per record (by position in export order): its representative, similarity to it, cluster size."""

    rowids: npt.NDArray[np.int64]
    """Catalog rowid of each position (both reads of an export check they agree)."""
    rep: npt.NDArray[np.int64]
    similarity: npt.NDArray[np.float32]
    size: npt.NDArray[np.int32]
    rep_ids: dict[int, str]
    """Record id of every representative of a cluster of two or more (by position)."""

    def is_duplicate(self, position: int) -> bool:
        return bool(self.rep[position] != position)

    def dup(self, position: int, record_id: str) -> dict[str, Any]:
        """The record's ``dup`` field."""
        rep = int(self.rep[position])
        size = int(self.size[position])
        if rep == position:
            return {"cluster": record_id, "of": None, "similarity": 1.0, "size": size}
        of = self.rep_ids[rep]
        return {"cluster": of, "of": of, "similarity": round(float(self.similarity[position]), 4), "size": size}

    @property
    def duplicates(self) -> int:
        return int(np.count_nonzero(self.rep != np.arange(len(self.rep))))


def find_clusters(rows: Iterable[tuple[int, str]], text_of: Callable[[int], str],
                  ids_of: Callable[[list[int]], dict[int, str]], options: DedupOptions,
                  tick: Tick | None = None) -> Clusters:
    """Cluster the ``(rowid, text)`` rows; ``text_of``/``ids_of`` read a row again by rowid."""
    with tempfile.TemporaryDirectory(prefix="speechcrawl-dedup-") as tmp:
        rowids, digests, lengths, bands = _scan(rows, options, Path(tmp), tick)
        leader = _exact_leaders(digests)
        roots = leader
        known: dict[tuple[int, int], float] = {}
        if options.mode == "near" and bands:
            pairs = _candidates(bands, lengths)
            roots = _verify(pairs, leader, rowids, text_of, options, known)
    rep = _representatives(roots, lengths)
    similarity = _similarities(rep, digests, rowids, text_of, options, known)
    size = np.bincount(rep, minlength=len(rep)).astype(np.int32)[rep]
    multi = np.unique(rep[size > 1])
    found = ids_of([int(rowids[p]) for p in multi])
    rep_ids = {int(p): found[int(rowids[p])] for p in multi}
    logger.info("dedup %s: %d records, %d duplicates", options.mode, len(rep), int((rep != np.arange(len(rep))).sum()))
    return Clusters(rowids=rowids, rep=rep, similarity=similarity, size=size, rep_ids=rep_ids)


def _scan(rows: Iterable[tuple[int, str]], options: DedupOptions, tmp: Path,
          tick: Tick | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.int64], list[Path]]:
    """Step 1: digests, lengths, and (near mode) band keys written to one file per band."""
    rowids, digests, lengths = array("q"), array("Q"), array("q")  # 8 bytes a value, not a Python int each
    paths: list[Path] = []
    files: list[IO[bytes]] = []
    batch: list[str] = []

    def flush() -> None:
        keys = np.ascontiguousarray(band_keys(signatures(batch, size=options.shingle), _ROWS).T)
        if not files:
            paths.extend(tmp / f"band{b:02d}.u32" for b in range(keys.shape[0]))
            files.extend(p.open("wb") for p in paths)
        for handle, column in zip(files, keys, strict=True):
            handle.write(column.tobytes())
        if tick:
            tick(len(batch))
        batch.clear()

    try:
        for rowid, text in rows:
            flat = normalise(text)
            rowids.append(rowid)
            digests.append(int.from_bytes(hashlib.sha1(flat.encode()).digest()[:8], "big"))
            lengths.append(len(flat))
            if options.mode == "near":
                batch.append(flat)
                if len(batch) >= _BATCH:
                    flush()
            elif tick:
                tick(1)
        if batch:
            flush()
    finally:
        for handle in files:
            handle.close()
    return (np.frombuffer(rowids, dtype=np.int64), np.frombuffer(digests, dtype=np.uint64),
            np.frombuffer(lengths, dtype=np.int64), paths)


def _groups(keys: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions sorted by key (stable) and, for each, the first position with the same key."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    return order, first


def _exact_leaders(digests: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Step 2: each position's first position with the same normalised text."""
    leader = np.arange(len(digests), dtype=np.int64)
    if len(digests):
        order, first = _groups(digests)
        leader[order] = first
    return leader


def _candidates(bands: list[Path], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Step 3: distinct (first, other) position pairs sharing a band key, as ``first << 32 | other``."""
    with_text = np.flatnonzero(lengths > 0)  # empty texts all share one signature: never candidates
    found = []
    for path in bands:
        order, first = _groups(np.fromfile(path, dtype=np.uint32)[with_text])
        pick = first != order
        found.append((with_text[first[pick]] << 32) | with_text[order[pick]])
    return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def _verify(pairs: npt.NDArray[np.int64], leader: npt.NDArray[np.int64], rowids: npt.NDArray[np.int64],
            text_of: Callable[[int], str], options: DedupOptions,
            known: dict[tuple[int, int], float]) -> npt.NDArray[np.int64]:
    """Step 4: merge verified pairs (union-find over exact leaders); return each position's root.

    The similarity of every merged pair goes to ``known``: in most clusters it is the
    member-to-representative similarity step 5 would otherwise compute again.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    @lru_cache(maxsize=2048)  # pairs come sorted by their first member, which repeats: ~8 KB a text
    def shingled(position: int) -> npt.NDArray[np.uint64]:
        return shingle_hashes(text_of(int(rowids[position])), options.shingle)

    checked = 0
    for pair in pairs.tolist():
        first, other = pair >> 32, pair & 0xFFFFFFFF
        a, b = find(int(leader[first])), find(int(leader[other]))
        if a == b:
            continue
        checked += 1
        similarity = hashed_jaccard(shingled(first), shingled(other))
        if similarity >= options.threshold:
            parent[max(a, b)] = min(a, b)
            known[(first, other)] = similarity
    logger.info("dedup near: %d candidate pairs, %d compared on text", len(pairs), checked)
    root = np.arange(len(leader), dtype=np.int64)
    for x in parent:
        root[x] = find(x)
    return root[leader]


def _representatives(roots: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Step 5a: per position, the longest member of its cluster (first in export order on ties)."""
    positions = np.arange(len(roots), dtype=np.int64)
    if not len(roots):
        return positions
    order = np.lexsort((positions, -lengths, roots))
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = roots[order][1:] != roots[order][:-1]
    rep = np.empty_like(positions)
    rep[order] = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    return rep


def _similarities(rep: npt.NDArray[np.int64], digests: npt.NDArray[np.uint64], rowids: npt.NDArray[np.int64],
                  text_of: Callable[[int], str], options: DedupOptions,
                  known: dict[tuple[int, int], float]) -> npt.NDArray[np.float32]:
    """Step 5b: each member's Jaccard similarity to its representative (1.0 for the same text)."""
    similarity = np.ones(len(rep), dtype=np.float32)
    members = np.flatnonzero((rep != np.arange(len(rep))) & (digests != digests[rep]))
    current, rep_hashes = -1, np.empty(0, np.uint64)
    for position in members[np.argsort(rep[members], kind="stable")].tolist():
        pair = (min(position, int(rep[position])), max(position, int(rep[position])))
        if pair in known:
            similarity[position] = known[pair]
            continue
        if rep[position] != current:  # members arrive grouped by representative: one set at a time
            current = int(rep[position])
            rep_hashes = shingle_hashes(text_of(int(rowids[current])), options.shingle)
        mine = shingle_hashes(text_of(int(rowids[position])), options.shingle)
        similarity[position] = hashed_jaccard(mine, rep_hashes)
    return similarity
