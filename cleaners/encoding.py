"""Decode an HTML body to text without ever producing mojibake.

Chinese template sites lie about their encoding all the time: a GBK page behind a
server that says ``utf-8``, a ``gb2312`` meta tag over GB18030 bytes, no
declaration at all.  Declarations are therefore treated as *evidence*, and the
choice is made by actually decoding: the candidate that decodes with (almost) no
invalid bytes and reads most like Chinese text wins.  A body no candidate can
read is reported undecodable with the numbers, rather than guessed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from cleaners.patterns import COMMON_HANZI
from cleaners.types import Decoded

__all__ = ["decode_html", "normalize_encoding"]

_SNIFF_BYTES = 16384
_ASCII_BYTES = bytes(range(128))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_GOOD = re.compile("[" + COMMON_HANZI + "\u3000-\u303f\uff00-\uffef]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# GB2312 and GBK are subsets of GB18030; decoding with the superset never loses a
# character and accepts the GB18030-only bytes that "gb2312" pages carry anyway.
# Latin-1 labels mean windows-1252 on the web (WHATWG), the usual server default.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "csgb2312": "gb18030", "euc-cn": "gb18030", "gb18030": "gb18030", "hz-gb-2312": "hz",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode": "utf-8", "unicode-1-1-utf-8": "utf-8",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
}
_MULTIBYTE_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])
"""C0 controls text never holds (tab, LF, FF, CR and ESC, which ISO-2022 uses, are not counted)."""
_MAX_CONTROL_BYTES = 8
"""Control bytes always tolerated (stray NULs happen); more than this and 2 % of the body means binary."""
_MAX_ERROR_RATIO = 0.01
"""Invalid sequences tolerated per non-ASCII byte: stray bytes happen; more means a wrong codec."""
_DECLARED_MARGIN = 0.25
"""How much more Chinese-looking another codec must read before it overrules a clean declaration."""
_PLAUSIBILITY_SAMPLE = 60_000
"""Characters of a candidate's text its plausibility is read from."""


def normalize_encoding(label: str | None) -> str | None:
    """Python codec name for a web charset label, or None when the label is unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None


@dataclass(frozen=True, slots=True)
class _Trial:
    encoding: str
    text: str
    errors: int
    declared: bool


def _plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common hanzi or CJK punctuation."""
    non_ascii = len(_NON_ASCII.findall(text))
    if not non_ascii:
        return 0.0
    return len(_GOOD.findall(text)) / non_ascii


def _trial(body: bytes, encoding: str, declared: bool) -> _Trial | None:
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return None
    errors = text.count("\ufffd")
    if encoding == "utf-8":
        errors -= body.count(b"\xef\xbf\xbd")  # a literal U+FFFD on the page is not an error
    return _Trial(encoding, text, max(errors, 0), declared)


_STATELESS = frozenset({"utf-8", "gb18030", "big5hkscs"})
"""Codecs that read each character alone: decoding can restart right after an invalid sequence."""


def _more_errors_than(body: bytes, encoding: str, most: int) -> bool:
    """Whether decoding ``body`` meets more than ``most`` invalid sequences; stops at the one past
    ``most`` (a wrong codec meets them in the first few hundred bytes) instead of decoding it all."""
    errors = start = 0
    while True:
        try:
            body[start:].decode(encoding)
        except UnicodeDecodeError as exc:
            errors += 1
            if errors > most:
                return True
            start += exc.end
        else:
            return False


def _sniff(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_html(body: bytes, declared: str | None = None, *, force: bool = False) -> Decoded:
    """Decode ``body``; ``declared`` is the charset the HTTP header (or a profile) gave.

    Order of evidence: byte-order mark, then trial decoding of the header charset,
    the ``<meta>`` charset, UTF-8, GB18030 and Big5.  Valid multi-byte UTF-8 is taken
    at once (GBK text is practically never valid UTF-8); otherwise the candidate with
    the fewest invalid bytes that reads most like Chinese wins, a clean declaration
    being kept unless another codec reads clearly better.

    ``force=True`` skips the evidence: ``declared`` is used as given (a user's
    ``--encoding`` that knows better than the page), invalid bytes replaced.
    """
    if force:
        return _forced(body, declared)
    if not body:
        return Decoded(text="", encoding="utf-8", reason="empty body")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body.decode(codec, errors="replace")
            bad = text.count("\ufffd")
            return Decoded(text=text, encoding=codec.replace("-sig", ""), reason=f"byte-order mark ({codec})",
                           replaced=bad)
    controls = len(body) - len(body.translate(None, _CONTROL_BYTES))
    if controls > max(_MAX_CONTROL_BYTES, len(body) // 50):
        # Any single-byte codec "decodes" an image or a zip; control bytes say it is none of text.
        return Decoded(text=None, encoding=None, replaced=0,
                       reason=(f"undecodable: looks binary ({controls} control bytes in {len(body)}, "
                               f"header {declared or 'without charset'}); not text whatever the label says"))
    header = normalize_encoding(declared)
    meta_label = _sniff(body)
    meta = normalize_encoding(meta_label)
    if body.isascii():
        return Decoded(text=body.decode("ascii"), encoding=header or meta or "utf-8", reason="ASCII only")
    evidence = [f"header {declared}" if declared else "no header charset",
                f"meta {meta_label}" if meta_label else "no meta charset"]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        agree = header in (None, "utf-8") and meta in (None, "utf-8")
        note = "" if agree else "; declaration overruled"
        return Decoded(text=text, encoding="utf-8", reason=f"valid UTF-8 ({', '.join(evidence)}){note}")
    return _choose(body, header, meta, evidence)


def _choose(body: bytes, header: str | None, meta: str | None, evidence: list[str]) -> Decoded:
    non_ascii = len(body) - len(body.translate(None, _ASCII_BYTES))
    order = [e for e in (header, meta) if e] + list(_MULTIBYTE_FALLBACKS)
    limit = max(3, int(non_ascii * _MAX_ERROR_RATIO))
    trials: list[_Trial] = []
    contender: int | None = None
    """Once a usable candidate is read: the most invalid sequences another may have and still compete."""
    for enc in dict.fromkeys(order):
        if contender is not None and enc in _STATELESS and _more_errors_than(body, enc, contender):
            continue  # it could not compete (see ``clean`` below): not worth decoding in full
        trial = _trial(body, enc, enc in (header, meta))
        if trial is None:
            continue
        trials.append(trial)
        if trial.errors <= limit:
            fewest = min(t.errors for t in trials if t.errors <= limit)
            contender = fewest + max(2, fewest // 2)
    usable = [t for t in trials if t.errors <= limit]
    if not usable:
        best = min(trials, key=lambda t: t.errors)
        return Decoded(text=None, encoding=None, replaced=best.errors,
                       reason=(f"undecodable: best candidate {best.encoding} leaves {best.errors} invalid byte "
                               f"sequences in {non_ascii} non-ASCII bytes ({', '.join(evidence)}); "
                               "give the right encoding (profile `encoding`, or --encoding)"))
    fewest = min(t.errors for t in usable)
    # Only near-clean candidates compete; among them the most Chinese-looking one wins.
    clean = [t for t in usable if t.errors <= fewest + max(2, fewest // 2)]
    best = clean[0]
    if len(clean) > 1:  # one near-clean candidate (the usual case) wins without being scored
        score = {t.encoding: _plausibility(t.text[:_PLAUSIBILITY_SAMPLE]) for t in clean}
        best = max(clean, key=lambda t: score[t.encoding])
        declared_ok = [t for t in clean if t.declared]
        if declared_ok and score[best.encoding] - score[declared_ok[0].encoding] < _DECLARED_MARGIN:
            best = declared_ok[0]
    how = "as declared" if best.declared else "by trial decoding"
    note = f"; {best.errors} invalid byte sequence(s) replaced" if best.errors else ""
    return Decoded(text=best.text, encoding=best.encoding, replaced=best.errors,
                   reason=f"{best.encoding} {how} ({', '.join(evidence)}){note}")


def _forced(body: bytes, declared: str | None) -> Decoded:
    codec = normalize_encoding(declared)
    if codec is None:
        return Decoded(text=None, encoding=None, reason=f"unknown encoding {declared!r}")
    text = body.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    note = f"; {bad} invalid byte sequence(s) replaced" if bad else ""
    return Decoded(text=text, encoding=codec, replaced=bad, reason=f"{codec} as forced{note}")
