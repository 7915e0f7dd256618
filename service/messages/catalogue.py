"""A message catalogue: English templates as ids, matched whole, rendered in Chinese."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Placeholders whose value is itself a message (translated in turn) or a noun of the domain.
NESTED = frozenset({"problem", "message", "refused", "error", "exc", "detail", "reason"})
NOUNED = frozenset({"kind", "what", "label", "noun", "word"})
# Placeholders that are always numbers: they never swallow the words around them.
NUMERIC = frozenset({
    "count", "row", "line", "index", "limit", "listed", "rows", "total", "created", "updated",
    "unchanged", "stored", "claimed", "places", "grace", "rate", "days", "column",
})  # fmt: skip


def placeholders(template: str) -> list[str]:
    """The named fields of a template, in order (`{unit}` -> unit)."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _plain(template: str) -> str:
    return template.replace("{{", "{").replace("}}", "}")


_NAMED = re.compile(r"(?P<noun>.+?) (?P<code>'[^']*'|\"[^\"]*\"|[0-9]+)")


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            # Non-greedy and anchored: the literal text around a field decides where it ends.
            body = "-?[0-9][0-9,._eE+]*" if name in NUMERIC else ".+?"
            parts.append(f"(?P<{name}>{body})")
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True)
class Entry:
    """One message: its English template, compiled, and its Chinese template."""

    english: str
    chinese: str
    pattern: re.Pattern[str]
    weight: int  # literal characters: the most specific template wins


class Catalogue:
    """English message templates compiled once; `zh(text)` is the Chinese or None."""

    def __init__(
        self,
        books: Iterable[Mapping[str, str]],
        nouns: Mapping[str, str],
        inner: Catalogue | None = None,
    ) -> None:
        self.books = tuple(books)
        self.inner = inner  # translates the messages inside a message; itself when None
        self.nouns = dict(nouns)
        self.exact: dict[str, str] = {}
        entries: list[Entry] = []
        for book in self.books:
            for english, chinese in book.items():
                if not placeholders(english):
                    self.exact[_plain(english)] = _plain(chinese)
                    continue
                weight = len(re.sub(r"\{[^}]*\}", "", english))
                entries.append(Entry(english, chinese, _pattern(english), weight))
        self.entries = sorted(entries, key=lambda e: -e.weight)

    def zh(self, text: str, whole: bool = False) -> str | None:
        """The Chinese of one English message, or None when the catalogue lacks it.

        A match whose inner message is unknown is given only when no match is whole, and
        never when `whole` is asked for.
        """
        found = self.exact.get(text)
        if found is not None:
            return found
        partial: str | None = None
        for entry in self.entries:
            match = entry.pattern.fullmatch(text)
            if match is None:
                continue
            fields = {k: self._field(k, v) for k, v in match.groupdict().items()}
            whole = all(fields[k] != v or k not in NESTED for k, v in match.groupdict().items())
            if whole:
                return entry.chinese.format(**fields)
            # A frame ("{path}: {detail}") whose inside is unknown: try a more fitting entry first.
            partial = partial or entry.chinese.format(**fields)
        return None if whole else partial

    def _field(self, name: str, value: str) -> str:
        if name in NOUNED:
            if value in self.nouns:
                return self.nouns[value]
            named = _NAMED.fullmatch(value)
            if named is not None and named["noun"] in self.nouns:
                # "computing centre 'HRB-AI'": the noun in Chinese, the code as it is.
                return f"{self.nouns[named['noun']]} {named['code']}"
            return self.zh(value) or value
        if name == "choices":
            # pydantic lists alternatives as "'a', 'b' or 'c'".
            return value.replace("' or '", "' 或 '")
        if name in NESTED:
            return (self.inner or self).zh(value) or value
        return value

    def __len__(self) -> int:
        return len(self.exact) + len(self.entries)
