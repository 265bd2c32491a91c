"""The re-check ledger as written (archive.warc) and read back (archive.contents, archive.verify).

A ledger record is a WARC ``metadata`` record of Content-Type ``application/x-speechcrawl-rechecks+jsonl``
(:data:`archive.warc.LEDGER_CONTENT_TYPE`) whose block is one JSON object a line, one per 304 re-check;
docs/archive.md, "The re-check ledger", describes the fields.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from archive._format import content_type_of
from archive.exceptions import ArchiveError

__all__ = ["ledger_entries"]


def ledger_entries(block: bytes) -> list[dict[str, Any]]:
    """The re-checks of a ledger record's block, each with ``status`` and ``content_type`` read from what the
    server sent; ArchiveError when a line is not a re-check (docs/archive.md, "The re-check ledger")."""
    out = []
    for number, line in enumerate(block.splitlines(), 1):
        try:
            entry = json.loads(line)
            for key in ("id", "uri", "date", "refers_to", "payload_digest", "status_line"):
                if not isinstance(entry.get(key), str):
                    raise ValueError(f"no {key!r}")
            code = entry["status_line"].split()[1]
            if not (len(code) == 3 and code.isascii() and code.isdigit()):  # RFC 9112: three digits
                raise ValueError(f"status {code[:20]!r} is not three digits")
            status = int(code)
            datetime.fromisoformat(entry["date"])
            headers = [(str(k), str(v)) for k, v in entry.get("headers") or []]
            for text in (entry["id"], entry["uri"], entry["refers_to"], entry["payload_digest"], *sum(headers, ())):
                text.encode("utf-8")  # a lone surrogate ("\ud800" in the JSON) no catalog can store
        except (ValueError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            raise ArchiveError(f"line {number} is not a re-check ({exc})") from None
        out.append({**entry, "status": status, "content_type": content_type_of(headers), "headers": headers})
    return out
