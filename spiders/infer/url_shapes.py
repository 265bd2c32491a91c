"""URL patterns from example URLs: what a list page's pager and an article's address look like.

Template sites number everything: article ids, dates in paths, pages of a column
(``list_12_2.html``, ``index_1.html``, ``page/3/``, ``?page=2``, ``node_101_2.htm``).  A maintainer
writes the same regex by hand; here it is derived from examples:

- :func:`url_shape` groups URLs that differ only in their numbers (or hex ids);
- :func:`article_regex` turns one such group into an anchored regex, numbers generalized;
- :func:`list_regex` finds what the pages of one column have in common and makes the rest
  optional or numeric, keeping numbers that never change (``list_12_``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

__all__ = ["path_query", "url_shape", "article_regex", "list_regex"]

_HEX = re.compile(r"[0-9a-f]{8,}")
_PAGE_ONE_EXAMPLES = 3
"""A number is taken for a constant page index only when this many title links agree."""


def _esc(text: str) -> str:
    """re.escape, minus the escaped hyphen: these regexes have no character class it could break."""
    return re.escape(text).replace("\\-", "-")


def path_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) runs: "H" a hex id with letters and digits, "D" digits, "L" anything else."""
    out: list[tuple[str, str]] = []
    for run in re.finditer(r"[0-9a-zA-Z]+|[^0-9a-zA-Z]+", text):
        word = run.group()
        if _HEX.fullmatch(word) and re.search(r"\d", word) and re.search(r"[a-f]", word):
            out.append(("H", word))
        else:
            out += [("D" if piece.isdigit() else "L", piece) for piece in re.findall(r"\d+|\D+", word)]
    return out


def url_shape(url: str) -> str:
    """The path+query with numbers and hex ids blanked: URLs of one shape are addresses of one kind."""
    return "".join({"D": "0", "H": "h"}.get(kind, text) for kind, text in _tokens(path_query(url)))


def _page_one(columns: Sequence[tuple[tuple[str, str], ...]], at: int, examples: int) -> bool:
    """Is column ``at`` a page index that is 1 in every example, after ``-``/``_`` in the file name?
    (``thread-56120-1-1.html``: the thread's first page; ``thread-56120-2-1.html`` holds only replies.)"""
    if examples < _PAGE_ONE_EXAMPLES or any(text != "1" for _, text in columns[at]) or at == 0:
        return False
    before = columns[at - 1][0][1]
    return before[-1:] in "-_" and all("/" not in t for column in columns[at:] for _, t in column[:1])


def article_regex(urls: Sequence[str]) -> str:
    """An anchored regex for URLs of one shape; every number varies (ids and dates grow), except a
    page index that is 1 on every example (:func:`_page_one`)."""
    columns = list(zip(*(_tokens(path_query(u)) for u in urls), strict=True))
    parts = []
    for at, column in enumerate(columns):
        kind, text = column[0]
        if kind == "D" and _page_one(columns, at, len(urls)):
            parts.append("1")
        elif kind == "D":
            parts.append(r"\d+")
        elif kind == "H":
            sizes = {len(t) for _, t in column}
            parts.append(f"[0-9a-f]{{{sizes.pop()}}}" if len(sizes) == 1 else "[0-9a-f]+")
        else:
            parts.append(_esc(text))
    return "^" + "".join(parts) + "$"


def _same_shape(strings: Sequence[str]) -> str:
    """Strings of one shape: constant runs literal, varying numbers ``\\d+``."""
    columns = list(zip(*(_tokens(s) for s in strings), strict=True))
    parts = []
    for column in columns:
        texts = {t for _, t in column}
        kind = column[0][0]
        if kind in "DH" and (len(texts) > 1 or len(strings) == 1):
            parts.append(r"\d+" if kind == "D" else "[0-9a-f]+")
        else:
            parts.append(_esc(column[0][1]))
    return "".join(parts)


def _common_prefix(strings: Sequence[str]) -> str:
    prefix = strings[0]
    for s in strings[1:]:
        while not s.startswith(prefix):
            prefix = prefix[:-1]
    # Never end inside a number: "list_12_1" of list_12_1 / list_12_10 must give back its "1".
    while prefix and prefix[-1].isdigit() and any(len(s) > len(prefix) and s[len(prefix)].isdigit() for s in strings):
        prefix = prefix[:-1]
    return prefix


def _common_suffix(strings: Sequence[str]) -> str:
    return _common_prefix([s[::-1] for s in strings])[::-1]


def _generalize(strings: Sequence[str]) -> str:
    unique = sorted(set(strings))
    optional = "" in unique
    rest = [s for s in unique if s]
    if not rest:
        return ""
    shapes = {url_shape("/" + s) for s in rest}
    if len(shapes) == 1:
        body = _same_shape(rest)
    else:
        prefix = _common_prefix(rest)
        suffix = _common_suffix([s[len(prefix):] for s in rest])
        middles = [s[len(prefix):len(s) - len(suffix)] for s in rest]
        if prefix or suffix:
            body = _esc(prefix) + _generalize(middles) + _esc(suffix)
        else:
            body = "(?:" + "|".join(sorted({_same_shape([s]) for s in rest})) + ")"
    if not optional:
        return body
    return f"(?:{body})?" if len(body) > 1 else f"{body}?"


def list_regex(first: str, others: Sequence[str]) -> str:
    """An anchored regex for the pages of one column: ``first`` (page 1 as given) and its pager's URLs."""
    urls = [path_query(first), *(path_query(u) for u in others)]
    prefix = _common_prefix(urls)
    suffix = _common_suffix([u[len(prefix):] for u in urls])
    middles = [u[len(prefix):len(u) - len(suffix)] for u in urls]
    return "^" + _esc(prefix) + _generalize(middles) + _esc(suffix) + "$"
