"""Lexical scanning for FQL v10: whitespace, comments, identifiers, numbers and strings.

FQL's lexical structure depends on where the parser is (a newline ends a statement in one
place and is plain whitespace in another; ``-1`` is one literal in term position and two
tokens after an operand; ``#{`` opens an expression inside a string), so instead of a token
stream this module offers a ``Scanner``: the parser asks it to recognise one lexical item at
a given offset and gets back the value and the offset after it.

The scanner also owns the *expectation tracker* used for FaunaDB's generic parse errors
(``Expected `,` or `]```): every place that looks for something and does not find it records
a label at that offset; the failure reports the labels recorded at the furthest offset.

Nothing here builds AST nodes; string interpolation hands ``#{`` back to the parser through a
callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from faunalite.fql.errors import CheckDiagnostic, Hint
from faunalite.fql.span import Source, Span

T = TypeVar("T")

KEYWORDS = frozenset(
    {"if", "else", "at", "match", "case", "let", "null", "true", "false", "isa", "join", "on", "of"}
)
"""Words that are never identifiers (they may still be field names after a dot)."""

INVALID_VARIABLE_NAMES = KEYWORDS | {"FQL", "_"}
"""Names a ``let`` may not bind."""

_ESCAPES = {
    "\\": "\\",
    "0": "\0",
    "'": "'",
    '"': '"',
    "`": "`",
    "n": "\n",
    "r": "\r",
    "v": "\v",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "#": "#",
}
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_REST = _IDENT_START | frozenset("0123456789'")
_DIGITS = frozenset("0123456789")
_RADIX_DIGITS = {
    "x": (16, "0123456789abcdefABCDEF_", "hex digit"),
    "o": (8, "01234567_", "octal digit"),
    "b": (2, "01_", "binary digit"),
}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def is_display_char(char: str) -> bool:
    """Whether ``char`` may appear raw in a string or comment.

    FaunaDB refuses control characters (except tab and the line-ending family), DEL, the BOM,
    the specials block and the bidi/format controls that can disguise source text. Lone
    surrogates are refused too: a Python string can hold one, but it could never be encoded
    back to UTF-8 in a response.
    """
    code = ord(char)
    return not (
        code <= 0x08
        or 0x0E <= code <= 0x1F
        or code == 0x7F
        or code == 0xFEFF
        or 0xFFF0 <= code <= 0xFFFF
        or 0x2000 <= code <= 0x200F
        or 0x2028 <= code <= 0x202F
        or 0x2060 <= code <= 0x206F
        or 0xD800 <= code <= 0xDFFF
    )


def integer_literal_value(value: int) -> int | float:
    """FaunaDB's reading of an integer literal: 64-bit integers stay exact, others are Doubles."""
    if _INT64_MIN <= value <= _INT64_MAX:
        return value
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


class ParseFailure(Exception):
    """A parse error that ends parsing, carrying the diagnostic to report."""

    def __init__(self, diagnostic: CheckDiagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Scanner:
    """Recognises lexical items of one source text and tracks what was expected where."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.length = len(source.text)
        self._expected_at = -1
        self._expected: set[str] = set()

    # -- positions, spans and errors -------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.source)

    def char(self, pos: int) -> str:
        """The character at ``pos``, or ``""`` past the end."""
        return self.text[pos] if pos < self.length else ""

    def startswith(self, prefix: str, pos: int) -> bool:
        return self.text.startswith(prefix, pos)

    def expect(self, pos: int, *labels: str) -> None:
        """Record that one of ``labels`` would have been accepted at ``pos``."""
        if pos > self._expected_at:
            self._expected_at = pos
            self._expected = set(labels)
        elif pos == self._expected_at:
            self._expected.update(labels)

    def expected_failure(self) -> ParseFailure:
        """FaunaDB's generic error for the furthest expectations: ``Expected a, b, or c``."""
        labels = sorted(self._expected) or ["expression"]
        if len(labels) == 1:
            listed = labels[0]
        elif len(labels) == 2:
            listed = f"{labels[0]} or {labels[1]}"
        else:
            listed = ", ".join(labels[:-1]) + f", or {labels[-1]}"
        pos = max(self._expected_at, 0)
        return self.failure(f"Expected {listed}", pos, pos + 1)

    def fail_expecting(self, pos: int, *labels: str) -> ParseFailure:
        """Record ``labels`` at ``pos`` and build the generic failure."""
        self.expect(pos, *labels)
        return self.expected_failure()

    def failure(
        self,
        message: str,
        start: int,
        end: int,
        annotation: str | None = None,
        hints: list[Hint] | None = None,
    ) -> ParseFailure:
        diagnostic = CheckDiagnostic(message, self.span(start, end), annotation, hints or [])
        return ParseFailure(diagnostic)

    # -- whitespace and comments -----------------------------------------------------------

    def skip_ws(self, pos: int) -> int:
        """Skip spaces, tabs and block comments (never a newline outside a comment)."""
        while pos < self.length:
            char = self.text[pos]
            if char in " \t":
                pos += 1
            elif char == "/" and self.startswith("/*", pos):
                end = self._block_comment_end(pos)
                if end is None:
                    return pos
                pos = end
            else:
                return pos
        return pos

    def skip_nl(self, pos: int) -> int:
        """Skip any whitespace, newlines and comments."""
        while pos < self.length:
            char = self.text[pos]
            if char in " \t\n\r":
                pos += 1
            elif char == "/" and self.startswith("//", pos):
                pos = self._line_comment_end(pos)
            elif char == "/" and self.startswith("/*", pos):
                end = self._block_comment_end(pos)
                if end is None:
                    return pos
                pos = end
            else:
                return pos
        return pos

    def block_separator_end(self, pos: int) -> int | None:
        """The end of a statement separator (``;``, newline or line comment) at ``pos``."""
        pos = self.skip_ws(pos)
        found = False
        while pos < self.length:
            char = self.text[pos]
            if char in ";\n\r":
                pos += 1
            elif self.startswith("//", pos):
                pos = self._line_comment_end(pos)
            else:
                break
            found = True
            pos = self.skip_ws(pos)
        return pos if found else None

    def _line_comment_end(self, pos: int) -> int:
        pos += 2
        while pos < self.length and self.text[pos] != "\n" and is_display_char(self.text[pos]):
            pos += 1
        if pos < self.length and self.text[pos] == "\n":
            pos += 1
        return pos

    def _block_comment_end(self, pos: int) -> int | None:
        """End of the (nestable) block comment at ``pos``; None if it is not closed properly.

        Iterative so a pathological nesting of ``/*`` cannot exhaust the Python stack.
        """
        depth = 0
        while pos < self.length:
            if self.startswith("/*", pos):
                depth += 1
                pos += 2
            elif self.startswith("*/", pos):
                depth -= 1
                pos += 2
                if depth == 0:
                    return pos
            elif is_display_char(self.text[pos]):
                pos += 1
            else:
                return None
        return None

    # -- words ------------------------------------------------------------------------------

    def identifier_end(self, pos: int) -> int | None:
        """End of the plain identifier (keywords included) starting at ``pos``."""
        if pos >= self.length or self.text[pos] not in _IDENT_START:
            return None
        pos += 1
        while pos < self.length and self.text[pos] in _IDENT_REST:
            pos += 1
        return pos

    def keyword_end(self, pos: int, word: str) -> int | None:
        """End of ``word`` at ``pos`` if it stands alone (``iffy`` is not ``if``)."""
        end = pos + len(word)
        if self.text.startswith(word, pos) and self.char(end) not in _IDENT_REST:
            return end
        return None

    def placeholder_end(self, pos: int) -> int | None:
        """End of a template placeholder ``$0``, ``$1``, ... at ``pos``."""
        if self.char(pos) != "$" or self.char(pos + 1) not in _DIGITS or pos + 1 >= self.length:
            return None
        pos += 1
        while pos < self.length and self.text[pos] in _DIGITS:
            pos += 1
        return pos

    # -- numbers ----------------------------------------------------------------------------

    def starts_number(self, pos: int) -> bool:
        """Whether a (possibly signed) number literal starts at ``pos``."""
        if self.char(pos) in "+-":
            pos = self.skip_ws(pos + 1)
        return self.char(pos) in _DIGITS and pos < self.length

    def scan_number(self, pos: int) -> tuple[int | float, int]:
        """Scan a number literal at ``pos`` (caller checked ``starts_number``).

        An optional sign (and blanks after it) belongs to the literal. Returns the value
        (int for integers within 64 bits, float otherwise) and the end offset.
        """
        negative = False
        if self.char(pos) in "+-":
            negative = self.char(pos) == "-"
            pos = self.skip_ws(pos + 1)
        start = pos
        radix_info = (
            _RADIX_DIGITS.get(self.char(pos + 1).lower()) if self.char(pos) == "0" else None
        )
        if radix_info is not None:
            radix, allowed, label = radix_info
            pos += 2
            digits_start = pos
            while pos < self.length and self.text[pos] in allowed:
                pos += 1
            digits = self.text[digits_start:pos].replace("_", "")
            if not digits:
                raise self.fail_expecting(pos if pos > digits_start else digits_start, label)
            value = int(digits, radix)
            return integer_literal_value(-value if negative else value), pos

        pos = self._decimal_digits_end(pos)
        int_end = pos
        is_float = False
        if self.char(pos) == "." and self.char(pos + 1) in _DIGITS and pos + 1 < self.length:
            is_float = True
            pos = self._digits_and_underscores_end(pos + 2)
        elif self.char(pos) == ".":
            # `1.` is the integer 1 followed by a field access; remember the float reading
            # for the error message if nothing valid follows the dot (`3.` at the end).
            self.expect(pos + 1, "digit")
        if self.char(pos) in ("e", "E") and pos < self.length:
            is_float = True
            pos += 1
            if self.char(pos) in "+-" and pos < self.length:
                pos += 1
            if not (self.char(pos) in _DIGITS and pos < self.length):
                raise self.fail_expecting(pos, "digit")
            pos = self._digits_and_underscores_end(pos + 1)
        literal = self.text[start:pos].replace("_", "")
        if is_float:
            number = float(literal)
            return (-number if negative else number), pos
        if len(literal) > 19:
            # Too long for 64 bits whatever the digits; float() has no digit-count limit.
            big = float(literal)
            return (-big if negative else big), int_end
        value = int(literal)
        return integer_literal_value(-value if negative else value), int_end

    def _decimal_digits_end(self, pos: int) -> int:
        if self.char(pos) == "0":
            return pos + 1
        return self._digits_and_underscores_end(pos + 1)

    def _digits_and_underscores_end(self, pos: int) -> int:
        while pos < self.length and (self.text[pos] in _DIGITS or self.text[pos] == "_"):
            pos += 1
        return pos

    # -- strings ----------------------------------------------------------------------------

    def scan_single_quoted(self, pos: int) -> tuple[str, int]:
        """Scan ``'...'`` at ``pos``: no interpolation; returns the text and the end."""
        parts: list[str] = []
        pos += 1
        while True:
            char = self.char(pos)
            if char == "'" and pos < self.length:
                return "".join(parts), pos + 1
            if char == "\\":
                text, pos = self.scan_escape(pos)
                parts.append(text)
            elif char and is_display_char(char):
                parts.append(char)
                pos += 1
            else:
                raise self.fail_expecting(pos, "`'`")

    def scan_double_quoted(
        self, pos: int, interpolate: Callable[[int], tuple[T, int]]
    ) -> tuple[list[str | T], int]:
        """Scan ``"..."`` at ``pos``; ``#{`` calls ``interpolate(offset after #{)``.

        ``interpolate`` parses the expression and the closing ``}`` and returns the parsed
        value and the offset after ``}``. Adjacent text is merged into one part.
        """
        parts: list[str | T] = []
        text: list[str] = []
        pos += 1
        while True:
            char = self.char(pos)
            if char == '"' and pos < self.length:
                if text:
                    parts.append("".join(text))
                return parts, pos + 1
            if char == "\\":
                escaped, pos = self.scan_escape(pos)
                text.append(escaped)
            elif char == "#" and self.char(pos + 1) == "{":
                if text:
                    parts.append("".join(text))
                    text = []
                value, pos = interpolate(pos + 2)
                parts.append(value)
            elif char and is_display_char(char):
                text.append(char)
                pos += 1
            else:
                raise self.fail_expecting(pos, '`"`')

    def scan_escape(self, pos: int) -> tuple[str, int]:
        """Scan the escape sequence whose backslash is at ``pos``."""
        start = pos
        pos += 1
        code = self.char(pos)
        if code and code in _ESCAPES:
            return _ESCAPES[code], pos + 1
        if code == "x":
            pos += 1
            for _ in range(2):
                if self.char(pos) not in _HEX_DIGITS or pos >= self.length:
                    raise self.fail_expecting(pos, "hex digit")
                pos += 1
            return self._codepoint(self.text[start + 2 : pos], start, pos), pos
        if code == "u":
            pos += 1
            if self.char(pos) == "{":
                pos += 1
                digits_start = pos
                while (
                    pos - digits_start < 6 and self.char(pos) in _HEX_DIGITS and pos < self.length
                ):
                    pos += 1
                if pos == digits_start:
                    raise self.fail_expecting(pos, "hex digit")
                if self.char(pos) != "}":
                    labels = ("`}`", "hex digit") if pos - digits_start < 6 else ("`}`",)
                    raise self.fail_expecting(pos, *labels)
                pos += 1
                return self._codepoint(self.text[digits_start : pos - 1], start, pos), pos
            for index in range(4):
                if self.char(pos) not in _HEX_DIGITS or pos >= self.length:
                    labels = ("`{`", "hex digit") if index == 0 else ("hex digit",)
                    raise self.fail_expecting(pos, *labels)
                pos += 1
            return self._codepoint(self.text[pos - 4 : pos], start, pos), pos
        raise self.fail_expecting(pos, "escape code")

    def _codepoint(self, hex_digits: str, start: int, end: int) -> str:
        codepoint = int(hex_digits, 16)
        if codepoint > 0x10FFFF:
            raise self.failure(
                "Invalid escape", start, end, annotation="outside of valid unicode range"
            )
        if 0xD800 <= codepoint <= 0xDFFF:
            raise self.failure("Invalid escape", start, end, annotation="surrogates are disallowed")
        return chr(codepoint)

    # -- heredocs ---------------------------------------------------------------------------

    def scan_heredoc(
        self, pos: int, interpolate: Callable[[int], tuple[T, int]] | None
    ) -> tuple[list[str | T], int]:
        """Scan a heredoc at ``pos`` (``<<-TAG`` raw, ``<<+TAG`` with ``interpolate``).

        The body runs from the line after the tag to a line holding (after indentation) the
        tag; the smallest indentation of the body lines is removed; each line keeps its line
        ending. Returns the parts (text merged where adjacent) and the end offset.
        """
        pos = self.skip_ws(pos + 3)
        tag_end = self.identifier_end(pos)
        if tag_end is None:
            raise self.fail_expecting(pos, "identifier")
        tag = self.text[pos:tag_end]
        pos = self.skip_ws(tag_end)
        if self.char(pos) not in ("\n", "\r") or pos >= self.length:
            raise self.fail_expecting(pos, "end of line")
        # Blank lines after the tag are dropped, but the first body line keeps its indent.
        while True:
            after_blanks = self.skip_ws(pos)
            if self.char(after_blanks) not in ("\n", "\r") or after_blanks >= self.length:
                break
            pos = self._newlines_end(after_blanks)

        lines: list[tuple[list[str | T], str]] = []
        while True:
            line_start = pos
            after_indent = self.skip_ws(pos)
            end = self.keyword_end(after_indent, tag)
            if end is not None:
                return self._unindent(lines), end
            parts, pos = self._heredoc_line(pos, interpolate)
            if self.char(pos) not in ("\n", "\r") or pos >= self.length or pos == line_start:
                raise self.fail_expecting(pos, tag if pos >= self.length else "end of line")
            newline_end = self._newlines_end(pos)
            lines.append((parts, self.text[pos:newline_end]))
            pos = newline_end

    def _newlines_end(self, pos: int) -> int:
        while pos < self.length and self.text[pos] in "\n\r":
            pos += 1
        return pos

    def _heredoc_line(
        self, pos: int, interpolate: Callable[[int], tuple[T, int]] | None
    ) -> tuple[list[str | T], int]:
        parts: list[str | T] = []
        text_start = pos
        while pos < self.length and self.text[pos] not in "\n\r":
            if interpolate is not None and self.startswith("#{", pos):
                if pos > text_start:
                    parts.append(self.text[text_start:pos])
                value, pos = interpolate(pos + 2)
                parts.append(value)
                text_start = pos
            elif is_display_char(self.text[pos]):
                pos += 1
            else:
                raise self.fail_expecting(pos, "end of line")
        if pos > text_start:
            parts.append(self.text[text_start:pos])
        return parts, pos

    @staticmethod
    def _unindent(lines: list[tuple[list[str | T], str]]) -> list[str | T]:
        def indentation(parts: list[str | T]) -> int:
            first = parts[0] if parts else ""
            if not isinstance(first, str):
                return 0
            stripped = first.lstrip(" \t")
            return len(first) - len(stripped)

        common = min((indentation(parts) for parts, _ in lines), default=0)
        result: list[str | T] = []
        for parts, newline in lines:
            for index, part in enumerate(parts):
                result.append(part[common:] if index == 0 and isinstance(part, str) else part)
            result.append(newline)
        merged: list[str | T] = []
        for part in result:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + part
            elif not (isinstance(part, str) and part == ""):
                merged.append(part)
        return merged
