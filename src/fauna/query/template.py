"""The ``${name}`` template syntax of ``fql()``: splitting a template into literals and variables.

Only the syntax lives here; ``fauna.query.query_builder`` turns the parts into a ``Query``.

Grammar: ``${identifier}`` is a variable (identifier: ``[_a-zA-Z][_a-zA-Z0-9]*``, no spaces);
``$$`` is a literal ``$``; any other ``$`` is an error that gives its line and column. FQL's own
``#{...}`` interpolation is plain text here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["FaunaTemplate", "TemplatePart"]

TemplatePart = tuple["str | None", "str | None"]

_IDENTIFIER = r"[_a-zA-Z][_a-zA-Z0-9]*"
_DOLLAR = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>" + _IDENTIFIER + r")\}|(?P<invalid>))")
_BAD_BRACED = re.compile(r"\{(?P<inner>[^}\n]*)(?P<close>\}?)")


class FaunaTemplate:
    """A template with ``${name}`` variables; ``iter()`` yields its parts in order.

    Each part is ``(literal, variable)``: ``literal`` is FQL text or None, ``variable`` a name or
    None; when both are set the literal comes first. An escape ``$$`` ends the literal part it is
    in with a single ``$``, so ``"a $$ b"`` yields ``("a $", None)`` then ``(" b", None)``.
    """

    def __init__(self, template: str) -> None:
        self._template = template

    def iter(self) -> Iterator[TemplatePart]:
        """Yield the template's parts; raises ``ValueError`` at the first invalid ``$``."""
        text = self._template
        position = 0
        for match in _DOLLAR.finditer(text):
            if match.group("invalid") is not None:
                raise ValueError(self._describe_invalid(match.start()))
            literal = text[position : match.start()]
            if match.group("escaped") is not None:
                literal += "$"
            position = match.end()
            yield (literal or None), match.group("braced")
        if position < len(text):
            yield text[position:], None

    def _describe_invalid(self, index: int) -> str:
        text = self._template
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        where = f"Invalid placeholder in template: line {line}, col {column}"
        braced = _BAD_BRACED.match(text, index + 1)
        if braced is None:
            return (
                f"{where}: a `$` must start a variable such as `${{name}}`; "
                "write `$$` for a literal `$`"
            )
        if not braced.group("close"):
            return f"{where}: unterminated `${{` (expected `}}`); write `$$` for a literal `$`"
        inner = braced.group("inner")
        if not inner:
            return f"{where}: empty variable `${{}}`"
        return (
            f"{where}: `${{{inner}}}` is not a valid variable name "
            "(use letters, digits and `_`, not starting with a digit)"
        )
