"""Step 2 (both modes): attachment lines — links to the files a page offers (附件：….pdf, 附件下载).

Gov and CMS templates list an article's attachments under its text, often inside the very element
that holds it: ``<p>附件：<a href="….pdf">2023年工作要点.pdf</a></p>``, or a 附件下载 box with one
``<li><a href="….docx">附件1：…</a></li>`` per file.  The file is not on the page and its name is
not the text.  Generic mode already leaves such lines out as link lines; this step takes them out
of the tree before either mode reads it, so that a profile's content selector does not keep them.

A line goes when it holds links to files (``FILE_HREF``) and nothing else but an attachment label,
numbering or a file size (``ATTACHMENT_RESIDUE``); an emptied list goes with its items, and a bare
label line (附件：, 附件下载) right before what went goes too.  Text that only mentions an attachment
stays: "附件：2020年度推选名单" over the table that is the attachment, "（详见附件）" in a sentence.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from cleaners.blocks import text_of
from cleaners.patterns import (
    ATTACHMENT_LABEL,
    ATTACHMENT_RESIDUE,
    BLOCK_TAGS,
    FILE_HREF,
    FILE_MENTION,
    FILE_NAME,
)

__all__ = ["drop_attachments"]


def _chars(el: HtmlElement) -> int:
    return len("".join(text_of(el).split()))


def _is_file_link(a: HtmlElement) -> bool:
    href = (a.get("href") or "").strip()
    return bool(FILE_HREF.search(href)) or bool(FILE_NAME.search(text_of(a).strip()))


def _line_of(a: HtmlElement, root: HtmlElement) -> HtmlElement | None:
    """The block element the link's line is, or None when the link sits right in ``root``."""
    el = a.getparent()
    while el is not None and el is not root:
        if isinstance(el.tag, str) and el.tag in BLOCK_TAGS:
            return el
        el = el.getparent()
    return None


def _only_files(line: HtmlElement) -> bool:
    """Whether ``line`` is links to files plus an attachment label, numbering or sizes."""
    links = [a for a in line.iter("a") if a.get("href") is not None]
    if not links or not all(_is_file_link(a) for a in links):
        return False
    rest = text_of(line)
    for a in links:
        rest = rest.replace(text_of(a), " ", 1)
    return ATTACHMENT_RESIDUE.match("".join(rest.split())) is not None


def _previous_element(el: HtmlElement) -> HtmlElement | None:
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None or (prev.tail or "").strip():
        return None  # text between them: the label, if any, is not a line of its own
    return prev


def drop_attachments(root: HtmlElement, html: str | None = None) -> int:
    """Remove attachment lines under ``root`` (see the module docstring); characters removed.  ``html``, the
    source the tree was parsed from, lets a page that names no file at all be passed over at once."""
    if html is not None and FILE_MENTION.search(html) is None:
        return 0
    lines: list[HtmlElement] = []
    for a in root.iter("a"):
        if a.get("href") is None or not _is_file_link(a):
            continue
        line = _line_of(a, root)
        if line is not None and line not in lines and _only_files(line):
            lines.append(line)
    removed = 0
    for line in lines:
        if line.getparent() is None or any(anc in lines for anc in line.iterancestors()):
            continue
        top = line
        parent = top.getparent()
        while parent is not None and parent is not root and _chars(parent) == _chars(top) \
                and not (parent.text or "").strip() and parent.tag in ("ul", "ol", "dl", "div", "table", "tbody"):
            top, parent = parent, parent.getparent()  # the list (or box) held nothing else
        label = _previous_element(top)
        if label is not None and label.tag in BLOCK_TAGS and ATTACHMENT_LABEL.match("".join(text_of(label).split())):
            removed += _chars(label)
            label.drop_tree()
        removed += _chars(top)
        top.drop_tree()
    return removed
