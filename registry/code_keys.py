"""One key per code as people read it: codes that differ only in letter case or width are one.

The API refuses "DC-1" beside "dc-1"; the database refuses it too, through a unique index
on a stored key column (`code_key`), which the models set on every write. An index on
`lower(code)` would do on PostgreSQL, but SQLite batch migrations cannot carry expression
indexes over when they copy a table, and `lower()` folds only ASCII there.
"""

from __future__ import annotations

import unicodedata
from typing import Any

KEY_MAX_LENGTH = 256  # a 64-character code may grow under NFKC and case folding


def code_key(code: str) -> str:
    """The code under NFKC and case folding (Unicode's NFKC_Casefold, near enough)."""
    if code.isascii():
        return code.lower()  # the usual case: casefold and NFKC leave ASCII as lower() does
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", code).casefold())


def code_key_default(context: Any) -> str:
    """The key of the row's code, for Core inserts that name only `code` (imports)."""
    return code_key(context.get_current_parameters()["code"])
