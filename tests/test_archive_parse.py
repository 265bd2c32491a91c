"""parse_record reads every head as the plain header loop it replaced did.

parse_record looks the WARC/1.1 field names up in a table, builds the first-value dict
inside its header loop and checks the required headers against that dict: all to save
CPU in verify.  The old loop is kept below as the reference, and generated heads (folded
lines, malformed lines, bare CR or LF, non-ASCII, duplicate and differently cased names,
odd whitespace, damaged digests and lengths) must give the same record, problems,
lookups and errors.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from archive._format import WARC_DATE_RE
from archive._scan import parse_record
from archive.exceptions import RecordFormatError

_TOKEN_BAD = re.compile(rb'[\x00-\x20()<>@,;:\\"/\[\]?={}\x7f-\xff]')
_REQUIRED = ("WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length")
_ASKED = ("WARC-Type", "warc-type", "WARC-TYPE", "WARC-Record-ID", "WARC-Date", "Content-Length", "Content-Type",
          "WARC-Block-Digest", "WARC-Payload-Digest", "WARC-Target-URI", "X-Odd", "x-odd", "Nope")


def _reference(data: bytes) -> tuple[object, ...]:
    """The parse before the change, whole: (version, headers, first values asked, problems, block, next)."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise RecordFormatError("WARC header block is not terminated by an empty line", offset=0)
    lines = data[:head_end].split(b"\r\n")
    if lines[0] not in (b"WARC/1.0", b"WARC/1.1"):
        raise RecordFormatError(f"not a WARC record: first line {lines[0][:40]!r}", offset=0)
    headers: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, raw in enumerate(lines[1:], start=2):
        if raw[:1] in (b" ", b"\t") and headers:
            last_name, last_value = headers[-1]
            headers[-1] = (last_name, f"{last_value} {raw.strip().decode('utf-8', 'replace')}")
            continue
        name, sep, value = raw.partition(b":")
        if not sep or not name or _TOKEN_BAD.search(name):
            problems.append(f"malformed WARC header line {number}: {raw.decode('utf-8', 'replace')!r}")
            continue
        headers.append((name.decode("ascii"), value.strip().decode("utf-8", "replace")))
    first: dict[str, str] = {}
    for key, value in headers:
        first.setdefault(key.lower(), value)
    for name in _REQUIRED:
        if first.get(name.lower()) is None:
            problems.append(f"missing {name} header")
    if (date := first.get("warc-date")) is not None and not WARC_DATE_RE.match(date):
        problems.append(f"WARC-Date is not a W3C-ISO8601 UTC date: {date!r}")
    if (uri := first.get("warc-record-id")) is not None and not (uri[:1] == "<" and uri[-1:] == ">" and ":" in uri):
        problems.append(f"WARC-Record-ID is not a <URI>: {uri!r}")
    length_text = first.get("content-length")
    if length_text is None or not (length_text.isascii() and length_text.isdigit()):
        raise RecordFormatError(f"Content-Length is missing or not a number: {length_text!r}", offset=0)
    start, length = head_end + 4, int(length_text)
    block = data[start:start + length]
    if len(block) < length:
        raise RecordFormatError(f"Content-Length {length} but only {len(block)} bytes follow the header", offset=0)
    if data[start + length:start + length + 4] != b"\r\n\r\n":
        raise RecordFormatError(f"no CRLF CRLF after the Content-Length ({length}) bytes of the block: "
                                "Content-Length is wrong or the record is damaged", offset=0)
    asked = [first.get(name.lower()) for name in _ASKED]
    return lines[0].decode("ascii"), headers, asked, problems, block, start + length + 4


def _parsed(data: bytes) -> tuple[object, ...]:
    record, end = parse_record(data)
    asked = [record.get(name) for name in _ASKED]
    return record.version, record.headers, asked, record.problems, record.block, end


def _outcome(parse: object, data: bytes) -> tuple[object, ...]:
    try:
        return ("ok", *parse(data))  # type: ignore[operator]
    except RecordFormatError as exc:
        return "error", str(exc), exc.offset


NAMES = st.sampled_from([b"WARC-Type", b"warc-type", b"WARC-TYPE", b"WARC-Record-ID", b"WARC-Date", b"Content-Length",
                         b"content-length", b"Content-Type", b"WARC-Block-Digest", b"WARC-Payload-Digest",
                         b"WARC-Target-URI", b"X-Odd", b"x-odd", b"WARC-Type ", b" WARC-Type", b"\tX-Odd", b"",
                         b"Bad Name", b"caf\xc3\xa9", b"\xff", b"WARC-Date\x00", b"A/B"])
VALUES = st.one_of(
    st.sampled_from([b" response", b" 2026-12-07T13:22:18.675026Z", b" 2026-12-07T13:22:18Z ", b"\t<urn:uuid:1>",
                     b" 5", b"5", b" 05", b" \xc2\xb2", b" 5 ", b" -1", b" sha1:AAAA", b"", b" ", b" \xff\xfe caf\xc3\xa9",
                     b" a\rb", b" a\nb", b" \x0b5\x0c", b": :"]),
    st.binary(max_size=10))
LINES = st.one_of(
    st.builds(lambda name, sep, value: name + sep + value, NAMES, st.sampled_from([b":", b": ", b" :", b""]), VALUES),
    st.sampled_from([b" folded", b"\tfolded more ", b"  ", b"\t", b"", b"no colon", b":", b"\r", b"\n", b"a\nb:c"]),
    st.binary(max_size=16))


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from([b"WARC/1.1", b"WARC/1.0", b"WARC/1.2", b"warc/1.1", b"WARC/1.1 "]),
       st.lists(LINES, max_size=12), st.booleans(), st.binary(max_size=6),
       st.sampled_from([b"\r\n\r\n", b"\r\n", b"", b"\r\n\r\nWARC/1.1"]))
def test_parse_record_reads_heads_as_the_old_loop_did(version: bytes, lines: list[bytes], required: bool,
                                                       block: bytes, tail: bytes) -> None:
    if required:  # most generated heads then reach the block, instead of stopping at Content-Length
        lines = [b"WARC-Type: response", b"WARC-Record-ID: <urn:uuid:x>", b"WARC-Date: 2026-12-07T13:22:18Z",
                 *lines, b"Content-Length: %d" % len(block)]
    data = b"\r\n".join([version, *lines]) + b"\r\n\r\n" + block + tail
    assert _outcome(_parsed, data) == _outcome(_reference, data)
