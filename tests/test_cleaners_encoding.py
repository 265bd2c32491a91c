"""decode_html: the right text or an honest "undecodable", never mojibake, whatever the labels say.

Pages are built from real speech sentences (the sandbox pools), encoded in the codecs Chinese sites
use, and labelled right, wrong or not at all in the header and in <meta>: the property is that a
decoded page reads exactly as written (Big5 carries what it lacks as &#NNNN; references, as
browsers send it), and that anything else is reported undecodable with a reason.
"""

from __future__ import annotations

import codecs
import html
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import decode_html
from sandbox.seeds import pools

SENTENCES = sorted({s for run in pools().runs for s in run})
CODECS = ["utf-8", "gbk", "gb18030", "big5"]
LABELS = ["utf-8", "gbk", "gb2312", "gb18030", "big5", "iso-8859-1", "x-unknown-label"]


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, bytes, str | None]:
    """(page text, bytes on the wire, header charset)."""
    body = "".join(f"<p>{s}</p>\n" for s in draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=12)))
    codec = draw(st.sampled_from(CODECS))
    meta = draw(st.sampled_from([None, codec, *LABELS]))
    head = f'<meta charset="{meta}">' if meta else ""
    text = f"<html><head>{head}<title>讲话</title></head><body>{body}</body></html>"
    data = text.encode(codec, errors="xmlcharrefreplace")
    if codec == "utf-8" and draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    header = draw(st.sampled_from([None, codec, *LABELS]))
    return text, data, header


@settings(max_examples=200, deadline=None)
@given(pages())
def test_decoded_right_or_reported_undecodable(page: tuple[str, bytes, str | None]) -> None:
    text, data, header = page
    decoded = decode_html(data, header)
    if decoded.text is None:
        assert decoded.reason.startswith("undecodable") and decoded.encoding is None
        return
    assert html.unescape(decoded.text) == text, decoded.reason
    assert "\ufffd" not in decoded.text


@settings(max_examples=100, deadline=None)
@given(pages(), st.sampled_from([b"\x00", b"\x00" * 7]), st.integers(min_value=0, max_value=50))
def test_nul_bytes_between_tags_never_turn_into_mojibake(page: tuple[str, bytes, str | None], nul: bytes,
                                                        which: int) -> None:
    text, data, header = page
    tags = [k for k in range(len(data)) if data[k:k + 1] == b"<"]
    at = tags[which % len(tags)]
    decoded = decode_html(data[:at] + nul + data[at:], header)
    if decoded.text is not None:
        assert html.unescape(decoded.text.replace("\x00", "")) == text


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=200, max_value=20_000),
       st.sampled_from([None, *LABELS]))
def test_binary_junk_is_reported_undecodable(seed: int, size: int, header: str | None) -> None:
    """What a server sends as text/html when it is really an image or a zip: no charset may "win"."""
    decoded = decode_html(random.Random(seed).randbytes(size), header)
    assert decoded.text is None and decoded.reason.startswith("undecodable")


def test_a_gbk_page_behind_a_utf8_header_is_read_as_gbk() -> None:
    text = "<html><body><p>" + "".join(SENTENCES[:20]) + "</p></body></html>"
    decoded = decode_html(text.encode("gbk"), "utf-8")
    assert decoded.text == text and decoded.encoding == "gb18030" and "header utf-8" in decoded.reason


@settings(max_examples=200, deadline=None)
@given(pages(), st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=3)), max_size=6),
       st.sampled_from(["utf-8", "gb18030", "big5hkscs"]), st.integers(0, 6))
def test_a_candidate_is_dropped_early_only_when_it_has_more_invalid_sequences(
        page: tuple[str, bytes, str | None], junk: list[tuple[int, bytes]], codec: str, most: int) -> None:
    """The charset trials stop decoding a codec at its (most+1)-th invalid sequence: exactly when decoding it
    in full would count more than ``most`` of them."""
    from cleaners.encoding import _more_errors_than, _trial

    data = bytearray(page[1])
    for at, piece in junk:
        data[at % (len(data) + 1):at % (len(data) + 1)] = piece
    body = bytes(data)
    trial = _trial(body, codec, declared=False)
    assert trial is not None
    dropped = _more_errors_than(body, codec, most)
    assert not dropped or trial.errors > most  # never drops a candidate that could compete
    if "\ufffd" not in body.decode(codec, errors="ignore"):  # (a U+FFFD written on the page counts as one)
        assert dropped == (trial.errors > most)
