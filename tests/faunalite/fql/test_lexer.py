"""The scanner: numbers, strings, escapes, heredocs, comments and separators."""

from __future__ import annotations

import math

import pytest

from faunalite.fql.lexer import ParseFailure, Scanner, integer_literal_value, is_display_char
from faunalite.fql.span import Source


def scanner(text: str) -> Scanner:
    return Scanner(Source("*query*", text))


@pytest.mark.parametrize(
    ("text", "value", "end"),
    [
        ("0", 0, 1),
        ("1_000", 1000, 5),
        ("0x_ff", 255, 5),
        ("0XFF", 255, 4),
        ("0o17", 15, 4),
        ("0b1010", 10, 6),
        ("01", 0, 1),
        ("1.5", 1.5, 3),
        ("1.", 1, 1),
        ("2.0.x", 2.0, 3),
        ("1e3", 1000.0, 3),
        ("1_0.2_5E-1", 1.025, 10),
        ("- 1", -1, 3),
        ("+7", 7, 2),
        ("2147483648", 2147483648, 10),
        ("9223372036854775807", 9223372036854775807, 19),
        ("-9223372036854775808", -9223372036854775808, 20),
        ("9223372036854775808", 9.223372036854775808e18, 19),
        ("0xFFFFFFFFFFFFFFFF", float(2**64 - 1), 18),
    ],
)
def test_number_literals(text: str, value: float, end: int) -> None:
    scanned, scanned_end = scanner(text).scan_number(0)
    assert (scanned, scanned_end) == (value, end)
    assert type(scanned) is type(value)


def test_huge_integer_literal_is_a_double_not_an_error() -> None:
    assert scanner("9" * 5000).scan_number(0)[0] == math.inf
    assert integer_literal_value(-(10**400)) == -math.inf


@pytest.mark.parametrize(
    ("text", "message", "at"),
    [
        ("0x", "Expected hex digit", 2),
        ("0b_", "Expected binary digit", 3),
        ("1e", "Expected digit", 2),
        ("1e+x", "Expected digit", 3),
    ],
)
def test_malformed_numbers(text: str, message: str, at: int) -> None:
    with pytest.raises(ParseFailure) as caught:
        scanner(text).scan_number(0)
    assert caught.value.diagnostic.message == message
    assert caught.value.diagnostic.span.start == at


def test_single_quoted_strings_and_escapes() -> None:
    text = r"""'a"#`\\\0\'\"\`\n\r\v\t\b\f\#\x41\u00e9\u{1F600}'"""
    value, end = scanner(text).scan_single_quoted(0)
    assert value == 'a"#`\\\0\'"`\n\r\v\t\b\f#A\u00e9\U0001f600'
    assert end == len(text)


def test_raw_newlines_are_allowed_in_strings() -> None:
    assert scanner("'a\nb'").scan_single_quoted(0) == ("a\nb", 5)


def test_double_quoted_string_hands_interpolations_to_the_callback() -> None:
    text = '"x #y #{1}z"'

    def interpolate(pos: int) -> tuple[str, int]:
        close = text.index("}", pos)
        return f"<{text[pos:close]}>", close + 1

    parts, end = scanner(text).scan_double_quoted(0, interpolate)
    assert parts == ["x #y ", "<1>", "z"]
    assert end == len(text)


@pytest.mark.parametrize(
    ("text", "message", "annotation"),
    [
        (r"'\ud800'", "Invalid escape", "surrogates are disallowed"),
        (r"'\u{110000}'", "Invalid escape", "outside of valid unicode range"),
        (r"'\q'", "Expected escape code", None),
        (r"'\x4'", "Expected hex digit", None),
        (r"'\u{1234567}'", "Expected `}`", None),
        ("'abc", "Expected `'`", None),
        ("'a\0'", "Expected `'`", None),
        ("'a\u202e'", "Expected `'`", None),
    ],
)
def test_string_errors(text: str, message: str, annotation: str | None) -> None:
    with pytest.raises(ParseFailure) as caught:
        scanner(text).scan_single_quoted(0)
    assert caught.value.diagnostic.message == message
    assert caught.value.diagnostic.annotation == annotation


def test_heredoc_removes_common_indentation_and_keeps_line_ends() -> None:
    text = "<<-END\n\n    a\n\n      b\n    END.length"
    parts, end = scanner(text).scan_heredoc(0, None)
    assert parts == ["a\n\n  b\n"]
    assert text[end:] == ".length"


def test_empty_heredoc_and_unterminated_heredoc() -> None:
    assert scanner("<<-X\nX").scan_heredoc(0, None) == ([], 6)
    with pytest.raises(ParseFailure) as caught:
        scanner("<<-X\n  a\n").scan_heredoc(0, None)
    assert caught.value.diagnostic.message == "Expected X"


def test_display_characters() -> None:
    assert all(is_display_char(char) for char in "a\t\n\v\f\r é😀")
    assert not any(
        is_display_char(char) for char in "\0\x08\x0e\x1f\x7f\ufeff\ufff0\u200f\u2028\u2066\ud800"
    )


def test_whitespace_comments_and_separators() -> None:
    text = "a /* x /* nested */ y */ // line\n ; \n b"
    scan = scanner(text)
    assert scan.skip_ws(1) == text.index("//")
    assert scan.skip_nl(1) == text.index(";")
    assert scan.block_separator_end(1) == text.index("b")
    assert scan.block_separator_end(text.index("b") + 1) is None
    # An unclosed block comment is not a comment at all.
    assert scanner("a /* x").skip_ws(1) == 2


def test_identifiers_keywords_and_placeholders() -> None:
    scan = scanner("foo' iffy if $12 $x")
    assert scan.identifier_end(0) == 4
    assert scan.keyword_end(5, "if") is None
    assert scan.keyword_end(10, "if") == 12
    assert scan.placeholder_end(13) == 16
    assert scan.placeholder_end(17) is None


def test_generic_failure_lists_alternatives_alphabetically() -> None:
    scan = scanner("abc")
    scan.expect(1, "identifier")
    scan.expect(2, "`,`")
    scan.expect(2, "expression")
    scan.expect(2, "`)`")
    failure = scan.expected_failure()
    assert failure.diagnostic.message == "Expected `)`, `,`, or expression"
    assert (failure.diagnostic.span.start, failure.diagnostic.span.end) == (2, 3)
