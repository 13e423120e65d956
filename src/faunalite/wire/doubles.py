"""Reading a Double's text as Java's ``Double.parseDouble`` does, for ``{"@double": ...}``.

Java accepts surrounding control characters and spaces, ``NaN`` and ``Infinity``, an
``f``/``d`` type suffix and hex floats (``0x1.8p1``); it refuses Python-only spellings such as
``inf`` or ``1_000``. Writing Doubles is ``faunalite.fql.display.java_double_to_string``.
"""

from __future__ import annotations

import re

from faunalite.fql.timefmt import java_trim

_DECIMAL_RE = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)", re.ASCII
)
_HEX_RE = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?", re.ASCII
)
_SPECIAL = {"NaN": "nan", "Infinity": "inf"}


def parse_double(text: str) -> float | None:
    """Java ``Double.parseDouble(text)``, or ``None`` where Java throws."""
    trimmed = java_trim(text)
    if _DECIMAL_RE.fullmatch(trimmed):
        unsigned = trimmed.lstrip("+-")
        if unsigned in _SPECIAL:
            return float(trimmed[: len(trimmed) - len(unsigned)] + _SPECIAL[unsigned])
        return float(trimmed.rstrip("fFdD"))
    if _HEX_RE.fullmatch(trimmed):
        return float.fromhex(trimmed.rstrip("fFdD"))
    return None
