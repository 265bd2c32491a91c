"""Package a data directory's WARC files as one WACZ file (Web Archive Collection Zipped, 1.1.1).

A WACZ is what an archivist hands on: one file that replayweb.page or pywb opens, with
the WARC files unchanged inside, a CDXJ index to find a URL in them, a list of pages
(here: one per archived document that produced a speech) and ``datapackage.json`` with
the SHA-256 of every file, so the package itself can be checked later.

WARC files go in stored (not deflated): they are gzip already, and replay tools read
records out of the zip by offset.  The file is written as ``<name>.part`` and renamed
when complete, so a package under its final name is always whole.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from archive.cdxj import write_cdxj
from archive.contents import ArchiveContents, read_archive
from archive.exceptions import ArchiveError
from archive.files import replaced_when_done
from archive.verify import warc_files
from archive.warc import WarcWriter

__all__ = ["WACZ_VERSION", "WaczSummary", "write_wacz", "pages"]

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class WaczSummary:
    path: Path
    warc_files: int
    index_lines: int
    pages: int
    size: int

    def __str__(self) -> str:
        return (f"{self.path}: {self.warc_files} WARC files, {self.index_lines} index lines, {self.pages} pages, "
                f"{self.size} bytes")


def pages(contents: ArchiveContents) -> Iterator[dict[str, str]]:
    """One page per document with records: its first page as fetched, at its fetch time, titled."""
    for document in contents.documents:
        if not document.records or not document.pages:
            continue
        fetch = contents.by_record_id.get(document.pages[0].record_id)
        if fetch is None:
            continue
        page = {"id": document.records[0].id, "url": fetch.url, "ts": fetch.pointer.date}
        if document.records[0].title:
            page["title"] = document.records[0].title
        yield page


def write_wacz(data_dir: Path, out: Path, *, title: str | None = None,
               tick: Callable[[], None] | None = None) -> WaczSummary:
    """Write ``out`` from ``data_dir/warc``; ArchiveError when there is nothing (whole) to package.

    ``tick`` is called after each WARC file is packaged (a progress line for the CLI).
    """
    warc_dir = data_dir / "warc"
    contents = read_archive(warc_dir)  # also refuses .open files: a package must not miss records
    files = list(warc_files([warc_dir]))
    if not files:
        raise ArchiveError(f"no WARC files under {warc_dir}: nothing to package")
    names = [p.name for p in files]
    if len(set(names)) != len(names):
        raise ArchiveError(f"two WARC files under {warc_dir} share a name; a WACZ keeps them in one folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    with replaced_when_done(out) as part:
        with zipfile.ZipFile(part, "w", allowZip64=True) as wacz:
            package = _Package(wacz)
            for path in files:
                package.add_file(f"archive/{path.name}", path)
                if tick is not None:
                    tick()
            with tempfile.TemporaryFile("w+", encoding="utf-8") as index:
                lines = write_cdxj(files, index)
                index.seek(0)
                package.add_text("indexes/index.cdx", index)
            page_list = [PAGES_HEADER, *pages(contents)]
            package.add_bytes("pages/pages.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n"
                                                           for p in page_list).encode("utf-8"))
            datapackage = _datapackage(package.resources, title or data_dir.resolve().name)
            wacz.writestr(_info("datapackage.json", True), datapackage)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest()}
            wacz.writestr(_info("datapackage-digest.json", True), json.dumps(digest, indent=2).encode())
    return WaczSummary(out, len(files), lines, len(page_list) - 1, out.stat().st_size)


def _info(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


class _Package:
    """Adds members to the zip and remembers each one's size and SHA-256 for datapackage.json."""

    def __init__(self, wacz: zipfile.ZipFile) -> None:
        self.wacz = wacz
        self.resources: list[dict[str, object]] = []

    def add_file(self, name: str, path: Path) -> None:
        with path.open("rb") as f:
            self._write(name, iter(lambda: f.read(_CHUNK), b""), compress=False)

    def add_text(self, name: str, text: IO[str]) -> None:
        self._write(name, (chunk.encode("utf-8") for chunk in iter(lambda: text.read(_CHUNK), "")), compress=True)

    def add_bytes(self, name: str, data: bytes) -> None:
        self._write(name, [data], compress=True)

    def _write(self, name: str, chunks: Iterable[bytes], *, compress: bool) -> None:
        h, size = hashlib.sha256(), 0
        with self.wacz.open(_info(name, compress), "w", force_zip64=True) as member:
            for chunk in chunks:
                h.update(chunk)
                size += len(chunk)
                member.write(chunk)
        self.resources.append({"name": name.rsplit("/", 1)[-1].lower(), "path": name,
                               "hash": "sha256:" + h.hexdigest(), "bytes": size})


def _datapackage(resources: list[dict[str, object]], title: str) -> bytes:
    package = {
        "profile": "data-package",
        "title": title,
        "resources": resources,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wacz_version": WACZ_VERSION,
        "software": WarcWriter.software,
    }
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
