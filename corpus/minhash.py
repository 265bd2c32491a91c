"""MinHash signatures of texts over character shingles, many texts at a time (numpy).

Near-duplicate detection needs one short signature per record such that two records
agree on a signature slot with probability equal to the Jaccard similarity of their
shingle sets.  Classic MinHash hashes every shingle K times; this module uses
*one-permutation hashing* instead (Li, Owen & Zhang 2012): every shingle is hashed
once, the hash picks one of K bins and the bin keeps its smallest value.  That costs
O(characters) instead of O(characters x K) and is what makes a million speeches fit
in minutes on two cores.  Bins left empty (texts shorter than a few hundred
characters) borrow the value of the next filled bin to their right, salted with the
distance, the "rotation" densification of Shrivastava & Li (2014), so that a slot of
two similar texts still agrees with probability close to their similarity.

Shingles are ``SHINGLE`` consecutive characters of the text with all whitespace
removed, the same normalisation as the exact-duplicate digest.  Chinese has no word
boundaries, and five characters are long enough that two unrelated speeches share
few of them (under 0.35 Jaccard in the sandbox corpus, where generated speeches reuse
seed sentences) and short enough that a machine-spun copy, which changes a two-
character word every few sentences, keeps most of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence, Set

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = ["SHINGLE", "BINS", "normalise", "shingles", "shingle_hashes", "signatures", "band_keys", "jaccard",
           "hashed_jaccard"]

SHINGLE = 5
"""Characters per shingle."""
BINS = 96
"""Signature length: 32 LSH bands of 3 slots (see corpus.dedup for the banding)."""

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_PRIME = _U64(0x100000001B3)  # FNV-64 prime: odd, so the rolling polynomial loses no bits
_EMPTY = _U64(1 << 32)  # larger than any 32-bit bin value


def normalise(text: str) -> str:
    """The text that is compared: whitespace of every kind removed (line breaks, indents, NBSP)."""
    return "".join(text.split())


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The set of ``size``-character shingles of the normalised text (the whole text if shorter)."""
    flat = normalise(text)
    if len(flat) <= size:
        return {flat} if flat else set()
    return {flat[i:i + size] for i in range(len(flat) - size + 1)}


def jaccard(a: Set[str], b: Set[str]) -> float:
    """|a & b| / |a | b|, 0.0 for two empty sets (nothing to compare is not a duplicate)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def shingle_hashes(text: str, size: int = SHINGLE) -> npt.NDArray[np.uint64]:
    """The shingle set of :func:`shingles` as sorted, distinct 64-bit hashes.

    Eight bytes a shingle instead of a Python string in a set (~90 bytes), which is what
    lets duplicate verification cache thousands of texts; a false match needs a 64-bit
    collision, so :func:`hashed_jaccard` equals :func:`jaccard` in practice.
    """
    flat = normalise(text)
    if len(flat) < size:  # one shingle, the text itself padded, as in _shingle_hashes
        flat = flat + "\0" * (size - len(flat)) if flat else ""
    hashes = _rolling(_codes(flat), size)
    hashes.sort()
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = hashes[1:] != hashes[:-1]
    return hashes[distinct]


def hashed_jaccard(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """:func:`jaccard` of two :func:`shingle_hashes` results."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: spreads a polynomial hash over all 64 bits (in place)."""
    x ^= x >> _U64(30)
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


def _shingle_hashes(flat: Sequence[str], size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """64-bit hash of every shingle of every text, and the text index each belongs to.

    The texts are concatenated and hashed with one vectorised rolling polynomial;
    windows that would cross from one text into the next are dropped.  A text shorter
    than ``size`` is one shingle, itself, padded with zeros.
    """
    lengths = np.fromiter((len(t) for t in flat), dtype=np.int64, count=len(flat))
    short = (lengths > 0) & (lengths < size)
    padded = [t + "\0" * (size - len(t)) if 0 < len(t) < size else t for t in flat]
    lengths = np.where(short, size, lengths)
    h = _rolling(_codes("".join(padded)), size)
    n = len(h)
    if n == 0:
        return h, np.empty(0, np.int64)
    owner = np.repeat(np.arange(len(flat), dtype=np.int64), lengths)[:n]
    ends = np.cumsum(lengths)
    keep = np.arange(n, dtype=np.int64) + size <= ends[owner]
    return h[keep], owner[keep]


def _codes(text: str) -> npt.NDArray[np.uint64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _rolling(codes: npt.NDArray[np.uint64], size: int) -> npt.NDArray[np.uint64]:
    """Mixed polynomial hash of every window of ``size`` codes (none if there are fewer)."""
    n = len(codes) - size + 1
    if n <= 0:
        return np.empty(0, np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(size):
        h *= _PRIME
        h += codes[j:j + n]
    return _mix(h)


def signatures(texts: Sequence[str], bins: int = BINS, size: int = SHINGLE) -> npt.NDArray[np.uint32]:
    """One-permutation MinHash signatures, one row of ``bins`` uint32 per text.

    An empty text (nothing after whitespace removal) gets a row of zeros; callers
    must not treat such rows as similar to each other (corpus.dedup skips them).
    """
    flat = [normalise(t) for t in texts]
    hashes, owner = _shingle_hashes(flat, size)
    # The top 32 bits choose the bin (multiply-shift range reduction), the low 32 are the value.
    slot = owner * bins + ((hashes >> _U64(32)) * _U64(bins) >> _U64(32)).astype(np.int64)
    table = np.full(len(flat) * bins, _EMPTY, dtype=np.uint64)
    np.minimum.at(table, slot, hashes & _MASK32)
    return _densify(table.reshape(len(flat), bins))


def _densify(table: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """Fill empty bins from the next filled bin to the right (circularly), salted with the distance."""
    rows, bins = table.shape
    filled = table != _EMPTY
    if filled.all():
        return table.astype(np.uint32)
    idx = np.where(np.concatenate([filled, filled], axis=1), np.arange(2 * bins), 2 * bins)
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1][:, :bins]  # next filled position >= i
    has_any = filled.any(axis=1)
    nxt = np.where(has_any[:, None], nxt, np.arange(bins))
    source = np.take_along_axis(table, nxt % bins, axis=1)
    distance = (nxt - np.arange(bins)).astype(np.uint64)
    out = np.where(filled, table, _mix(source + distance * _U64(0x9E3779B97F4A7C15)) & _MASK32)
    out[~has_any] = 0
    return out.astype(np.uint32)


def band_keys(sigs: npt.NDArray[np.uint32], rows: int) -> npt.NDArray[np.uint32]:
    """One 32-bit key per band of ``rows`` consecutive slots: equal bands give equal keys.

    Keys are hashes, so unequal bands collide with probability 2**-32 per pair; the
    caller verifies every candidate pair on the texts themselves.
    """
    n, width = sigs.shape
    bands = width // rows
    acc = np.zeros((n, bands), dtype=np.uint64)
    for r in range(rows):
        acc *= _PRIME
        acc += sigs[:, r:bands * rows:rows].astype(np.uint64) + _U64(r + 1)
    return (_mix(acc) >> _U64(32)).astype(np.uint32)
