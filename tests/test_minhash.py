"""MinHash signatures: slot agreement tracks Jaccard similarity, independent of batching, stable across runs."""

from __future__ import annotations

import numpy as np

from corpus.minhash import band_keys, jaccard, normalise, shingles, signatures
from sandbox.writer import Writer, rng_for


def _speech(seed: int, paragraphs: int = 8) -> str:
    w = Writer(rng_for("test-minhash", seed))
    return "\n".join(w.paragraph() for _ in range(paragraphs))


def test_shingles_ignore_whitespace_and_cover_short_texts() -> None:
    assert normalise(" 同志们:\n 大家好\u3000 ") == "同志们:大家好"
    assert shingles("一二三四五六") == {"一二三四五", "二三四五六"}
    assert shingles("一 二三\n四五六") == shingles("一二三四五六")
    assert shingles("讲话") == {"讲话"} and shingles(" \n") == set()
    assert jaccard(set(), set()) == 0.0 and jaccard({"a"}, {"a"}) == 1.0


def test_slot_agreement_estimates_jaccard() -> None:
    base = [_speech(i) for i in range(20)]
    copies = [text[: len(text) * (60 + 2 * i) // 100] for i, text in enumerate(base)]  # cut at 60..98 %
    sigs = signatures(base + copies)
    errors = []
    for i in range(20):
        exact = jaccard(shingles(base[i]), shingles(copies[i]))
        estimate = float(np.mean(sigs[i] == sigs[20 + i]))
        errors.append(abs(exact - estimate))
    assert np.mean(errors) < 0.06 and max(errors) < 0.2, errors
    unrelated = [float(np.mean(sigs[i] == sigs[j])) for i in range(10) for j in range(10, 20)]
    assert max(unrelated) < 0.3


def test_a_signature_does_not_depend_on_its_batch() -> None:
    texts = [_speech(1), "短", "", _speech(2, 2), "只有二十个字符左右的一句很短的话。"]
    together = signatures(texts)
    for i, text in enumerate(texts):
        assert (signatures([text])[0] == together[i]).all()
    assert (signatures(texts) == together).all(), "deterministic"
    assert (together[2] == 0).all(), "empty text: a row of zeros"
    assert together.shape == (5, 96) and together.dtype == np.uint32


def test_band_keys_match_only_equal_bands() -> None:
    sigs = signatures([_speech(3), _speech(3), _speech(4)])
    keys = band_keys(sigs, 3)
    assert keys.shape == (3, 32)
    assert (keys[0] == keys[1]).all()
    assert (keys[0] != keys[2]).mean() > 0.9
    changed = sigs.copy()
    changed[1, 4] ^= 1  # one slot of band 1
    assert (band_keys(changed, 3)[1] != keys[0]).tolist() == [j == 1 for j in range(32)]
