"""Which English messages in the code have no Chinese: `python -m service.messages.coverage [REV…]`.

Reads every `.py` file outside tests/ (of the working tree, or of each git revision named),
takes the string and f-string arguments of the calls that raise messages, fills their fields
with sample values and asks the catalogue for each. Prints the count and each message missed.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from service.messages import CATALOGUE, cli_zh
from service.messages.common_zh import NOUNS, STATUS_TITLES, TITLES

RAISERS = frozenset({
    "FieldError", "Problem", "invalid", "conflict", "forbidden", "not_found", "bad_request",
    "unauthorized", "ValueError", "PydanticCustomError", "ExpositionError",
})  # fmt: skip
SAMPLES = ("'Q7'", "3", "unit")
_FIELD = re.compile(r"\{[^{}]*\}")
_NAME_ONLY = re.compile(r"[A-Za-z0-9_.\[\]{}]+")  # a field path, not a sentence


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _template(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            else:
                parts.append("{x}")
        return "".join(parts)
    return None


def messages(source: str) -> Iterator[tuple[str, int]]:
    """The message templates raised in one module, with their lines."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in RAISERS:
            args = [*node.args, *(k.value for k in node.keywords if k.arg in ("message", "detail"))]
            for arg in args:
                found = _template(arg)
                if found and " " in found and not _NAME_ONLY.fullmatch(found):
                    yield found, node.lineno


def known(template: str) -> bool:
    """Whether some filling of the template's fields has a Chinese."""
    if template in TITLES or template in NOUNS:
        return True
    for sample in SAMPLES:
        text = template.replace("{{", "\0").replace("}}", "\1")
        text = _FIELD.sub(sample, text).replace("\0", "{").replace("\1", "}")
        if CATALOGUE.zh(text) is not None or cli_zh(text) is not None:
            return True
    return False


def sources(rev: str | None) -> Iterator[tuple[str, str]]:
    """(path, text) of the Python modules of a revision, or of the working tree."""
    if rev is None:
        for path in sorted(Path().rglob("*.py")):
            if not path.parts[0].startswith((".", "tests")):
                yield str(path), path.read_text(encoding="utf-8")
        return
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev], capture_output=True, text=True, check=True
    ).stdout.split()
    for name in names:
        if name.endswith(".py") and not name.startswith("tests/"):
            show = ["git", "show", f"{rev}:{name}"]
            yield name, subprocess.run(show, capture_output=True, text=True, check=True).stdout


def main(argv: Sequence[str]) -> int:
    """Print the coverage of each revision (or of the working tree)."""
    seen: dict[str, str] = {}
    revs: list[str | None] = [*argv] or [None]
    for rev in revs:
        for path, text in sources(rev):
            for template, line in messages(text):
                seen.setdefault(template, f"{rev + ':' if rev else ''}{path}:{line}")
    missed = {t: where for t, where in seen.items() if not known(t)}
    print(f"{len(seen) - len(missed)} of {len(seen)} messages have Chinese ({len(STATUS_TITLES)}"
          " titles by status besides)")  # fmt: skip
    for template, where in sorted(missed.items(), key=lambda item: item[1]):
        print(f"  {where}: {template}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
