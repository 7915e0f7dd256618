"""The CLI's language: `--lang zh|en` or the locale, and its output translated line by line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from service.messages import cli_zh
from service.messages.lang import Language, from_environment


def pop_lang(argv: list[str]) -> tuple[Language, list[str]]:
    """The language asked for (`--lang zh`, `--lang=en`, else the locale) and argv without it."""
    rest: list[str] = []
    chosen: str | None = None
    args = iter(argv)
    for arg in args:
        if arg == "--lang":
            chosen = next(args, "")
        elif arg.startswith("--lang="):
            chosen = arg.removeprefix("--lang=")
        else:
            rest.append(arg)
    if chosen is None:
        return from_environment(os.environ), rest
    return (Language.ZH if chosen.lower().startswith("zh") else Language.EN), rest


class ChineseLines:
    """A text stream that writes each finished line in Chinese when the catalogue knows it."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.pending = ""

    def write(self, text: str) -> int:
        """Hold text until its line ends, then write the line translated."""
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.inner.write(zh_line(line) + "\n")
        if "\r" in self.pending:
            # A progress bar redraws its line in place; it has no words to translate.
            self.inner.write(self.pending)
            self.pending = ""
        return len(text)

    def flush(self) -> None:
        """Flush what is finished; a line still being written waits for its end."""
        self.inner.flush()

    def close_line(self) -> None:
        """Write what is left of an unfinished line."""
        if self.pending:
            self.inner.write(zh_line(self.pending))
            self.pending = ""
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def zh_line(line: str) -> str:
    """One output line in Chinese, its indent kept; as it was when the catalogue lacks it."""
    body = line.lstrip(" ")
    if not body:
        return line
    found = cli_zh(body.rstrip())
    return line if found is None else line[: len(line) - len(body)] + found


@contextmanager
def speaking(lang: Language) -> Iterator[None]:
    """Within the block, stdout and stderr speak the language (English is as written)."""
    if lang is not Language.ZH:
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ChineseLines(out), ChineseLines(err)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, ChineseLines):
                stream.close_line()
        sys.stdout, sys.stderr = out, err
