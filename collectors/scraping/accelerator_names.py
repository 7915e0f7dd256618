"""Which catalogue model an exporter's model name is: a small table of name patterns."""

from __future__ import annotations

import re

# First match wins. Names are upper-cased and -, _ and / become spaces before matching, so
# "NVIDIA A100-SXM4-80GB" reads "NVIDIA A100 SXM4 80GB". A pattern mapped to None is a
# variant whose datasheet differs from the catalogue entry it resembles: reported as unknown
# rather than credited with another model's TFLOPS.
NAME_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"\bH100\b.*\bNVL\b", None),  # H100 NVL: its own figures
        (r"\bH100\b.*\bPCIE\b", "H100-PCIE"),
        (r"\bH100\b", "H100-SXM"),  # dcgm: "NVIDIA H100 80GB HBM3" is the SXM5 part
        (r"\bH800\b.*\bPCIE\b", None),
        (r"\bH800\b", "H800-SXM"),
        (r"\bH20\b", "H20"),
        (r"\bA100\b", "A100"),  # PCIe and SXM4 share the dense FP16/FP64 peak
        (r"\bA800\b", "A800"),
        (r"\bV100\b.*\bSXM2\b", "V100-SXM2"),
        (r"\bL40S\b", "L40S"),
        (r"\bB200\b", "B200"),  # \b keeps "GB200" out
        (r"\bMI300X\b", "MI300X"),
        (r"\bMI250X\b", "MI250X"),
        (r"\bASCEND ?910B[0-9]?\b", "ASCEND-910B"),  # Ascend910B, Ascend910B3, "Ascend 910B"
    )
)

_SEPARATORS = re.compile(r"[-_/\s]+")


def normalise(name: str) -> str:
    """Upper case, with separators as single spaces."""
    return _SEPARATORS.sub(" ", name.upper()).strip()


def catalogue_code(name: str) -> str | None:
    """The catalogue code of a reported model name, or None when it is not one we know."""
    text = normalise(name)
    if not text:
        return None
    for pattern, code in NAME_PATTERNS:
        if pattern.search(text):
            return code
    return None
