"""The String prototype, called through its table, with FaunaDB's values and messages."""

from __future__ import annotations

import time
from typing import Any

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext, QueryTimedOut
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.regex import expanded_size
from faunalite.fql.stdlib.registry import PROTOTYPES
from faunalite.fql.stdlib.strings import MAX_STRING_SIZE, concatenate
from faunalite.fql.values import Long, Null, Time

STRING = PROTOTYPES[str]
CTX = QueryContext(snapshot_time=Time(0))  # no deadline; string methods never call back


def call(receiver: str, method: str, *args: Any) -> Any:
    entry = STRING.methods[method]
    assert entry.arity is None or len(args) in entry.arity
    return entry.impl(CTX, receiver, *args)


def fails(code: str, message: str, receiver: str, method: str, *args: Any) -> None:
    with pytest.raises(QueryError) as caught:
        call(receiver, method, *args)
    assert (caught.value.code, caught.value.message) == (code, message)


def is_null(value: Any, cause: str) -> bool:
    return isinstance(value, Null) and value.cause == cause


EMOJI = "f😍😍"


def test_length_and_at_count_code_points() -> None:
    assert STRING.fields["length"](EMOJI) == 3
    assert call(EMOJI, "at", 1) == "😍"
    assert call("abc", "at", 2.0) == "c"
    fails("index_out_of_bounds", "index 3 out of bounds for length 3", EMOJI, "at", 3)
    fails("index_out_of_bounds", "index -1 out of bounds for length 3", "abc", "at", -1)
    fails(
        "invalid_argument",
        "expected value for `index` of type Int, received String",
        "abc",
        "at",
        "1",
    )


def test_simple_predicates_and_concat() -> None:
    assert call("hello", "startsWith", "he") is True
    assert call("hello", "endsWith", "lo") is True
    assert call("hello", "includes", "ell") is True
    assert call("hello", "includes", "") is True
    assert call("a", "concat", "b") == "ab"
    fails(
        "invalid_argument",
        "expected value for `other` of type String, received Int",
        "a",
        "concat",
        1,
    )
    fails(
        "invalid_argument",
        "expected value for `suffix` of type String, received Null",
        "a",
        "endsWith",
        Null(),
    )


def test_case_and_casefold() -> None:
    assert call("Straße", "toUpperCase") == "STRASSE"
    assert call("ÀB", "toLowerCase") == "àb"
    assert call("Straße", "casefold") == "strasse"
    assert call("ﬁ", "casefold", "NFKC") == "fi"
    assert call("é", "casefold", "NFD") == "e\u0301"
    fails(
        "invalid_argument",
        "invalid argument `format`: expected a casefold format "
        "(one of NFKCCaseFold, NFC, NFD, NFKC, or NFKD)",
        "a",
        "casefold",
        "nfc",
    )


def test_index_of_family() -> None:
    assert call(EMOJI, "indexOf", "😍") == 1
    assert call(EMOJI, "indexOf", "😍", 2) == 2
    assert is_null(call("abc", "indexOf", "z"), "no element found")
    assert call(EMOJI, "lastIndexOf", "😍") == 2
    assert call("abcabc", "lastIndexOf", "bc", 3) == 1
    assert call("abcabc", "lastIndexOf", "bc", 4) == 4
    assert call("abc", "lastIndexOf", "") == 3
    assert call("a1b22", "indexOfRegex", "[0-9]+") == 1
    assert call("a1b22", "indexOfRegex", "^[0-9]+", 3) == 3
    assert is_null(call("abc", "indexOfRegex", "[0-9]"), "no element found")
    fails("index_out_of_bounds", "index 3 out of bounds for length 3", "abc", "indexOf", "a", 3)
    fails(
        "invalid_argument",
        "expected arguments to `indexOf` of type (String, Int), received (String, String)",
        "abc",
        "indexOf",
        "a",
        "b",
    )
    fails(
        "invalid_argument",
        "expected arguments to `indexOf` of type (String), received (Int)",
        "abc",
        "indexOf",
        1,
    )


def test_regex_matching() -> None:
    assert call("a1b22c333", "matches", "[0-9]+") == ["1", "22", "333"]
    assert call("a1b22", "matchIndexes", "[0-9]+") == [[1, "1"], [3, "22"]]
    assert call(EMOJI + "x", "matchIndexes", "x") == [[3, "x"]]
    assert call("abc", "includesRegex", "^a.c$") is True
    # Java's \w is ASCII-only.
    assert call("é", "includesRegex", "\\w") is False
    fails(
        "invalid_regex",
        "Invalid regular expression. Unclosed group at index 4",
        "abc",
        "matches",
        "(abc",
    )
    fails(
        "invalid_regex",
        "Invalid regular expression. Dangling meta character '*' at index 0",
        "abc",
        "includesRegex",
        "*",
    )


@pytest.mark.parametrize("count", ["4294967295", "99999999999", "{1,99999999999}"])
def test_a_repetition_count_too_large_is_an_invalid_regex(count: str) -> None:
    pattern = "a{" + count.strip("{}") + "}"
    fails(
        "invalid_regex",
        "Invalid regular expression. Illegal repetition range at index 1",
        "a",
        "matches",
        pattern,
    )


def test_insert_slice_split_at() -> None:
    assert call("ac", "insert", 1, "b") == "abc"
    assert call("ab", "insert", 2, "c") == "abc"
    fails("index_out_of_bounds", "index 3 out of bounds for length 2", "ab", "insert", 3, "c")
    assert call(EMOJI, "slice", 1) == "😍😍"
    assert call(EMOJI, "slice", 1, 2) == "😍"
    assert call("abc", "slice", -5, 99) == "abc"
    assert call("abc", "slice", 2, 1) == ""
    assert call("abc", "slice", 0, -1) == ""
    assert call("abc", "splitAt", 1) == ["a", "bc"]
    assert call("abc", "splitAt", 3) == ["abc", ""]
    fails("index_out_of_bounds", "index 4 out of bounds for length 3", "abc", "splitAt", 4)
    fails(
        "invalid_argument",
        "expected arguments to `slice` of type (Int), received (String)",
        "abc",
        "slice",
        "1",
    )


@pytest.mark.parametrize(
    ("text", "separator", "pieces"),
    [
        ("f b ", " ", ["f", "b", ""]),
        (" f b", " ", ["", "f", "b"]),
        (" ", " ", ["", ""]),
        ("", ",", [""]),
        ("a,b,,c", ",", ["a", "b", "", "c"]),
        ("abc", "", ["a", "b", "c"]),
    ],
)
def test_split_keeps_empty_pieces_like_javascript(
    text: str, separator: str, pieces: list[str]
) -> None:
    assert call(text, "split", separator) == pieces


def test_splitting_and_replacing_a_long_string_take_linear_time() -> None:
    # Searching a copy of the rest for each piece made these quadratic: minutes here, hours
    # for a 16 MiB string, with the query's worker thread past any deadline.
    pieces = 300_000
    text = "ab," * pieces
    started = time.monotonic()
    assert len(call(text, "split", ",")) == pieces + 1
    assert len(call(text, "split", "")) == len(text)
    assert call(text, "replaceAll", ",", "") == "ab" * pieces
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("method", "args"),
    [("splitRegex", (",",)), ("replaceAllRegex", (",", ";")), ("replaceRegex", (",", ";", 9))],
)
def test_regex_splitting_and_replacing_stop_at_the_deadline(
    method: str, args: tuple[Any, ...]
) -> None:
    # Each regex match runs on a copy of the rest of the string (FaunaDB's `^` semantics),
    # which makes a long string slow: the loop checks the deadline between matches.
    late = QueryContext(snapshot_time=Time(0), deadline=time.monotonic() - 1)
    with pytest.raises(QueryTimedOut):
        STRING.methods[method].impl(late, "a,b,c", *args)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("includesRegex", ()),
        ("indexOfRegex", ()),
        ("matches", ()),
        ("matchIndexes", ()),
        ("splitRegex", ()),
        ("replaceRegex", ("b",)),
        ("replaceAllRegex", ("b",)),
    ],
)
def test_a_catastrophic_regex_stops_at_the_deadline(method: str, args: tuple[Any, ...]) -> None:
    # `(a|aa)+$` tries exponentially many ways to split the a's before failing at `!`: about
    # 15 s of matching here, holding the GIL under `re`; the match must end at the deadline
    # (give or take: the regex engine counts the process's CPU time, which a busy machine
    # hands out slowly).
    soon = QueryContext(snapshot_time=Time(0), deadline=time.monotonic() + 0.2)
    started = time.monotonic()
    with pytest.raises(QueryTimedOut):
        STRING.methods[method].impl(soon, "a" * 38 + "!", "(a|aa)+$", *args)
    assert time.monotonic() - started < 5


def test_nested_quantifiers_the_regex_engine_needs_no_backtracking_for_answer_at_once() -> None:
    # The example of issue 13: catastrophic for `re`, immediate for the `regex` engine.
    started = time.monotonic()
    assert call("a" * 36 + "!", "matches", "(a+)+$") == []
    assert call("a" * 36, "matches", "(a+)+$") == ["a" * 36]
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        ("abc", 3),
        (r"\d{4}-\d{2}-\d{2}", 10),
        ("[a-z]{1,64}@[a-z]{1,255}", 320),
        (r"[\]{]{9}x", 10),  # a brace in a class or escaped is no count
        (r"\{99999\}", 7),
        ("a{100000}", 100_000),
        ("(a{1000}){1000}", 1_000_000),  # nested counts multiply
    ],
)
def test_the_expanded_size_of_counted_repetition(pattern: str, size: int) -> None:
    assert expanded_size(pattern) == size


def test_a_huge_repetition_count_matches_without_compiling_it_out() -> None:
    # Found by the fuzzer: the `regex` engine writes counts out when it compiles, so
    # `a{999999999}` held the GIL without end and `a{1000000}` crashed the process. Such
    # patterns match with `re`, which keeps the count as a number; Java answers the same.
    started = time.monotonic()
    assert call("a", "matches", "a{999999999}") == []
    assert call("a" * 1_000_000 + "b", "matches", "a{1000000}") == ["a" * 1_000_000]
    assert call("xaaay", "includesRegex", "(a{1000}){1000}|a{3}") is True
    assert call("a-b-c", "splitRegex", "-{1,99999}") == ["a", "b", "c"]
    assert call("a--b", "replaceAllRegex", "-{1,99999}", "+") == "a+b"
    assert call("a--b", "matchIndexes", "-{1,99999}") == [[1, "--"]]
    assert time.monotonic() - started < 5


def test_split_regex() -> None:
    assert call("a1b22c", "splitRegex", "[0-9]+") == ["a", "b", "c"]
    assert call("abc", "splitRegex", "") == ["a", "b", "c"]


def test_replace_family() -> None:
    assert call("abcb", "replace", "b", "x") == "axcb"
    assert call("bbbb", "replace", "b", "x", 3) == "xxxb"
    assert call("abcb", "replaceAll", "b", "$1") == "a$1c$1"
    assert call("a1b22", "replaceRegex", "[0-9]+", "#") == "a#b22"
    assert call("a1b22c3", "replaceRegex", "[0-9]+", "#", 2) == "a#b#c3"
    assert call("a1b22", "replaceAllRegex", "[0-9]+", "\\0") == "a\\0b\\0"
    # Each search starts over on the rest of the string, so `^` matches again.
    assert call("aaa", "replaceAllRegex", "^a", "b") == "bbb"
    assert call("abc", "replace", "", "-", 3) == "---abc"
    fails(
        "invalid_argument",
        "invalid argument `count`: must be greater than or equal to 1",
        "abc",
        "replace",
        "a",
        "b",
        0,
    )
    fails(
        "value_too_large",
        f"Value too large: string size {MAX_STRING_SIZE + 1} exceeds limit {MAX_STRING_SIZE}.",
        "abc",
        "replaceAll",
        "",
        "-",
    )
    fails(
        "invalid_argument",
        "expected arguments to `replace` of type (String, String, Int), "
        "received (String, String, String)",
        "abc",
        "replace",
        "a",
        "b",
        "c",
    )


def test_size_limit_counts_utf16_units() -> None:
    half = "😍" * (MAX_STRING_SIZE // 4)
    assert len(concatenate(half, half)) == MAX_STRING_SIZE // 2
    with pytest.raises(QueryError) as caught:
        concatenate(half + half, "x")
    assert caught.value.code == "value_too_large"


@pytest.mark.parametrize(
    ("method", "text", "args", "expected"),
    [
        ("parseInt", "42", (), 42),
        ("parseInt", "+42", (), 42),
        ("parseInt", "-2147483648", (), -2147483648),
        ("parseInt", "ff", (16,), 255),
        ("parseLong", "9223372036854775807", (), Long(9223372036854775807)),
        # A Long however small (FaunaDB's Value.Long), unlike parseNumber's narrowest fit.
        ("parseLong", "5", (), Long(5)),
        ("parseLong", "-ff", (16,), Long(-255)),
        ("parseDouble", " 1.5 ", (), 1.5),
        ("parseDouble", "1e3", (), 1000.0),
        ("parseDouble", "-Infinity", (), float("-inf")),
        ("parseNumber", "7", (), 7),
        ("parseNumber", "3000000000", (), 3000000000),
        ("parseNumber", "2.5", (), 2.5),
        ("parseNumber", " 1", (), 1.0),
    ],
)
def test_number_parsing(method: str, text: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(text, method, *args)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("method", "text"),
    [
        ("parseInt", "2147483648"),
        ("parseInt", " 1"),
        ("parseInt", "1.0"),
        ("parseInt", ""),
        ("parseLong", "9223372036854775808"),
        ("parseDouble", "inf"),
        ("parseDouble", "1_000"),
        ("parseNumber", "abc"),
    ],
)
def test_unparsable_numbers_are_null_with_cause(method: str, text: str) -> None:
    assert is_null(call(text, method), "invalid number")


def test_radix_is_checked() -> None:
    fails(
        "invalid_argument",
        "invalid argument `format`: invalid radix, expected a number from 2-36",
        "1",
        "parseInt",
        37,
    )


def test_to_string_is_identity() -> None:
    assert call("x", "toString") == "x"
