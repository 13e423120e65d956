"""display() and debug(): how FQL values turn into text (toString, interpolation, dbg)."""

from __future__ import annotations

import math
import uuid

import pytest

from faunalite.fql.display import MAX_RENDERED_LENGTH, debug, display, java_double_to_string
from faunalite.fql.errors import QueryError
from faunalite.fql.values import (
    ID,
    NULL,
    TRANSACTION_TIME,
    Date,
    Lambda,
    Module,
    NativeFunction,
    Null,
    StorageValue,
    Time,
    UUIDValue,
)


@pytest.mark.parametrize(
    ("number", "java"),
    [
        (0.1, "0.1"),
        (2.0, "2.0"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (1e-4, "1.0E-4"),
        (1.5e-7, "1.5E-7"),
        (1234567.0, "1234567.0"),
        (1e7, "1.0E7"),
        (12345678.5, "1.23456785E7"),
        (123456789.0, "1.23456789E8"),
        (1e21, "1.0E21"),
        (1e22, "1.0E22"),
        (-3.25, "-3.25"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (5e-324, "4.9E-324"),
    ],
)
def test_double_debug_is_java_double_to_string(number: float, java: str) -> None:
    assert java_double_to_string(number) == java
    assert debug(number) == java


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (2.0, "2"),
        (1e7, "10000000"),
        (123456789.0, "123456789"),
        (1e21, "1000000000000000000000"),
        (1e22, "10000000000000000000000"),
        (1e23, "100000000000000000000000"),
        (-0.0, "-0"),
        (0.1, "0.1"),
        (1e-4, "1.0E-4"),
        (12345678.5, "1.23456785E7"),
        (math.nan, "NaN"),
        (-math.inf, "-Infinity"),
    ],
)
def test_double_display_prints_whole_values_without_fraction(number: float, shown: str) -> None:
    assert display(number) == shown


def test_scalars_display_raw_and_debug_as_source() -> None:
    cases = [
        ("hi", "hi", '"hi"'),
        (True, "true", "true"),
        (False, "false", "false"),
        (42, "42", "42"),
        (-9223372036854775808, "-9223372036854775808", "-9223372036854775808"),
        (NULL, "null", "null"),
        (Null("missing field"), "null", "null"),
        (ID(123), "123", 'ID("123")'),
        (Time(100_000_000), "1970-01-01T00:00:00.100Z", 'Time("1970-01-01T00:00:00.100Z")'),
        (Date(19398), "2023-02-10", 'Date("2023-02-10")'),
        (b"\x00\xff", "AP8=", 'Bytes("AP8=")'),
        (TRANSACTION_TIME, "[transaction time]", "TransactionTime()"),
        (Module("Math"), "Math", "Math"),
    ]
    for value, shown, source in cases:
        assert (display(value), debug(value)) == (shown, source)


def test_uuid_renders_canonical_form() -> None:
    value = UUIDValue(uuid.UUID("12345678-1234-5678-1234-567812345678"))
    assert display(value) == "12345678-1234-5678-1234-567812345678"
    assert debug(value) == 'UUID("12345678-1234-5678-1234-567812345678")'


def test_debug_escapes_strings_like_fql_literals() -> None:
    text = "a\\b\0c'd\"e`f\ng\rh\vi\tj\bk\fl#m{é}"
    expected = '"a\\\\b\\0c\\\'d\\"e\\`f\\ng\\rh\\vi\\tj\\bk\\fl\\#m{é}"'
    assert debug(text) == expected


def test_containers_debug_their_elements() -> None:
    assert debug([1, 2.0, "x"]) == '[1, 2.0, "x"]'
    assert display([1, 2.0]) == "[1, 2.0]"
    assert debug([]) == "[]"
    assert debug({}) == "{}"
    assert display({"a": 1, "b c": [True]}) == '{ a: 1, "b c": [true] }'


@pytest.mark.parametrize(
    ("key", "bare"),
    [("abc", True), ("a_1", True), ("é9", True), ("_a", False), ("1a", False), ("", False)],
)
def test_object_keys_are_quoted_unless_identifiers(key: str, bare: bool) -> None:
    rendered = debug({key: 1})
    assert rendered == ("{ " + (key if bare else f'"{key}"') + ": 1 }")


def test_functions_render_as_placeholders() -> None:
    lam = Lambda(params=["x"], variadic=None, body=None, closure=None)
    native = NativeFunction("map", lambda ctx: None, (1,))
    assert display(lam) == debug(lam) == "[function <lambda>]"
    assert display(native) == "[function map()]"


class _FakeSet(StorageValue):
    fql_type_name = "Set<Any>"

    def fql_debug(self, nested: bool) -> str:
        return "[set nested]" if nested else "[set]"


class _FakeCursor(StorageValue):
    fql_type_name = "SetCursor"

    def fql_debug(self, nested: bool) -> str:
        return '"token"'

    def fql_display(self) -> str:
        return "token"


class _Opaque(StorageValue):
    fql_type_name = "EventSource<Any>"


def test_storage_values_render_themselves() -> None:
    assert display(_FakeSet()) == "[set]"
    assert debug([_FakeSet()], nested=True) == "[[set nested]]"
    assert display(_FakeCursor()) == "token"
    assert debug({"c": _FakeCursor()}) == '{ c: "token" }'
    assert debug(_Opaque()) == "[EventSource<Any>]"


def test_rendering_a_value_longer_than_a_string_may_be_is_value_too_large() -> None:
    shared: object = "x"
    for _ in range(60):  # 60 objects, 2**60 paths: the text would never end
        shared = {"a": shared, "b": [shared]}
    with pytest.raises(QueryError) as raised:
        debug(shared)
    assert raised.value.code == "value_too_large"
    assert raised.value.message.endswith(f"exceeds limit {MAX_RENDERED_LENGTH}.")
