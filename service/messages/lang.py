"""Which language a reader asked for: Accept-Language for the API, --lang or LANG for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Language(StrEnum):
    """A language messages are written in."""

    ZH = "zh"
    EN = "en"


def _is_chinese(tag: str) -> bool:
    tag = tag.strip().lower().replace("_", "-")
    return tag == "zh" or tag.startswith("zh-")


def from_accept_language(header: str | None) -> Language:
    """Chinese when the best-weighted language is zh (zh-CN, zh-Hans, …); English otherwise."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.partition(";")
        tag = tag.strip()
        if not tag:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        lang = Language.ZH if _is_chinese(tag) else Language.EN
        # Highest weight first; among equals the one the client listed first.
        candidate = (-weight, position, lang)
        if best is None or candidate < best:
            best = candidate
    return Language.EN if best is None else best[2]


def from_environment(environ: Mapping[str, str]) -> Language:
    """The locale's language as POSIX orders it: LC_ALL, then LC_MESSAGES, then LANG."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return Language.ZH if _is_chinese(value.split(".")[0]) else Language.EN
    return Language.EN
