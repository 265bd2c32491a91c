"""Where each key (and each array element) of a TOML file stands: tomllib gives no line numbers.

A profile error must name the line to fix.  ``tomllib`` returns plain dicts, so this module
re-reads the text with a small scanner that knows just enough TOML to stay in step: comments,
the four string forms, arrays over several lines, inline tables, dotted and quoted keys, and
``[table]`` / ``[[array]]`` headers.  It never validates; tomllib has already done that.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["KeyLines"]

Path = tuple[str, ...]
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class KeyLines:
    """Line numbers (1-based) of the keys, table headers and array elements of one TOML text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self.keys: dict[Path, int] = {}
        self.tables: dict[Path, int] = {}
        self.elements: dict[tuple[Path, int], int] = {}
        self._scan()

    # -- queries -----------------------------------------------------------------------------
    def key(self, path: Path) -> int:
        """Line of ``path`` ("article", "content"), of its table header, or 0 when absent."""
        return self.keys.get(path) or self.tables.get(path, 0)

    def element(self, path: Path, index: int) -> int:
        """Line of the ``index``-th element of the array at ``path`` (the key's line as a fallback)."""
        return self.elements.get((path, index)) or self.key(path)

    def table(self, path: Path) -> int:
        """Header line of ``[path]`` (or of the key holding it as an inline table), 0 when absent."""
        return self.tables.get(path) or self.keys.get(path, 0)

    # -- scanner -----------------------------------------------------------------------------
    def _peek(self, n: int = 1) -> str:
        return self._text[self._pos:self._pos + n]

    def _advance(self, n: int = 1) -> None:
        self._line += self._text.count("\n", self._pos, self._pos + n)
        self._pos += n

    def _skip_space(self, newlines: bool) -> None:
        while self._pos < len(self._text):
            ch = self._text[self._pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self._advance()
            elif ch == "#":
                end = self._text.find("\n", self._pos)
                self._advance((end if end >= 0 else len(self._text)) - self._pos)
            else:
                return

    def _scan(self) -> None:
        table: Path = ()
        while True:
            self._skip_space(newlines=True)
            if self._pos >= len(self._text):
                return
            if self._peek() == "[":
                line, double = self._line, self._peek(2) == "[["
                self._advance(2 if double else 1)
                table = self._key()
                self.tables.setdefault(table, line)
                self._advance(2 if double else 1)
            else:
                before = self._pos
                self._pair(table)
                if self._pos == before:  # not TOML after all (tomllib would have said so): move on
                    self._advance()

    def _pair(self, table: Path) -> None:
        line = self._line
        path = table + self._key()
        self.keys.setdefault(path, line)
        self._skip_space(newlines=False)
        if self._peek() == "=":
            self._advance()
        self._skip_space(newlines=False)
        self._value(path)

    def _key(self) -> Path:
        parts: list[str] = []
        while self._pos < len(self._text):
            self._skip_space(newlines=False)
            ch = self._peek()
            if ch in "\"'":
                start = self._pos + 1
                self._string()
                parts.append(self._text[start:self._pos - 1])
            else:
                start = self._pos
                while self._pos < len(self._text) and self._text[self._pos] in _BARE:
                    self._advance()
                parts.append(self._text[start:self._pos])
            self._skip_space(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self._advance()
        return tuple(parts)

    def _string(self) -> None:
        quote = self._peek()
        if self._peek(3) == quote * 3:
            end = self._text.find(quote * 3, self._pos + 3)
            end = len(self._text) if end < 0 else end + 3
            while self._text[end:end + 1] == quote:  # """a"""" ends with a quote inside
                end += 1
            self._advance(end - self._pos)
            return
        self._advance()
        while self._pos < len(self._text) and self._peek() not in (quote, "\n"):
            self._advance(2 if quote == '"' and self._peek() == "\\" else 1)
        self._advance()

    def _value(self, path: Path) -> None:
        ch = self._peek()
        if ch in "\"'":
            self._string()
        elif ch == "[":
            self._items("]", newlines=True, item=lambda index: self._element(path, index))
        elif ch == "{":
            self._items("}", newlines=False, item=lambda _: self._pair(path))
        else:
            while self._pos < len(self._text) and self._peek() not in ",]}\n#":
                self._advance()

    def _element(self, path: Path, index: int) -> None:
        self.elements.setdefault((path, index), self._line)
        self._value(path + (str(index),))

    def _items(self, close: str, *, newlines: bool, item: Callable[[int], None]) -> None:
        """The comma-separated items of an array or inline table, up to ``close``."""
        self._advance()
        index = 0
        while True:
            self._skip_space(newlines=newlines)
            if self._peek() in (close, ""):
                self._advance()
                return
            if self._peek() == ",":
                self._advance()
                continue
            item(index)
            index += 1
