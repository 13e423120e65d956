"""Index keys sort exactly like FaunaDB's total order of values (fql-language.md §2.9)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from faunalite.fql.values import ID, NULL, Date, Null, Time, UUIDValue
from faunalite.storage import DocRef, sort_key, tuple_key
from faunalite.storage.keys import prefix_upper_bound

RANKS: list[type | tuple[type, ...]] = [
    (int, float),
    bytes,
    str,
    list,
    dict,
    ID,
    DocRef,
    Time,
    Date,
    UUIDValue,
    bool,
    Null,
]


def rank(value: Any) -> int:
    if type(value) is bool:
        return RANKS.index(bool)
    return next(i for i, kinds in enumerate(RANKS) if isinstance(value, kinds))


def utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def reference_compare(a: Any, b: Any) -> int:
    """A direct transcription of the total order, independent of the byte encoding."""
    ra, rb = rank(a), rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if isinstance(a, (int, float)):
        a_nan, b_nan = (
            isinstance(a, float) and math.isnan(a),
            isinstance(b, float) and math.isnan(b),
        )
        if a_nan or b_nan:
            return (a_nan > b_nan) - (a_nan < b_nan)
        # Python compares int with float exactly (no rounding), as the order requires.
        return int((a > b) - (a < b))
    if isinstance(a, str):
        return (utf16(a) > utf16(b)) - (utf16(a) < utf16(b))
    if isinstance(a, list):
        for x, y in zip(a, b, strict=False):
            c = reference_compare(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if isinstance(a, dict):
        items_a = sorted(a.items(), key=lambda kv: utf16(kv[0]))
        items_b = sorted(b.items(), key=lambda kv: utf16(kv[0]))
        for (ka, va), (kb, vb) in zip(items_a, items_b, strict=False):
            c = reference_compare(ka, kb) or reference_compare(va, vb)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if isinstance(a, DocRef):
        return reference_compare(a.collection, b.collection) or int((a.id > b.id) - (a.id < b.id))
    if isinstance(a, Null):
        return 0
    return int((a > b) - (a < b))


def key_compare(a: Any, b: Any) -> int:
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.sampled_from([2**53, 2**53 + 1, float(2**53), 2**63 - 1, float(2**63), -0.0, 0]),
    st.binary(max_size=4),
    st.text(alphabet=st.sampled_from("a\x00\ud7ff\ue000\uffff\U00010000\U0010ffffz"), max_size=4),
    st.booleans(),
    st.just(NULL),
    st.builds(Time, st.integers(min_value=-(10**20), max_value=10**20)),
    st.builds(Date, st.integers(min_value=-(10**6), max_value=10**6)),
    st.builds(ID, st.integers(min_value=0, max_value=2**63 - 1)),
    st.builds(DocRef, st.sampled_from(["A", "B", "AB"]), st.integers(0, 10)),
    st.builds(UUIDValue, st.uuids()),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["", "a", "b", "\x00"]), inner, max_size=3),
    ),
    max_leaves=8,
)


@given(values, values)
def test_key_order_is_the_total_order(a: Any, b: Any) -> None:
    assert key_compare(a, b) == reference_compare(a, b)


@given(
    st.lists(values, max_size=3),
    st.lists(values, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_tuple_keys_order_componentwise_with_desc_inverted(
    a: list[Any], b: list[Any], descending: list[bool]
) -> None:
    n = min(len(a), len(b))
    expected = 0
    for position in range(n):
        c = reference_compare(a[position], b[position])
        if c:
            expected = -c if descending[position] else c
            break
    if expected == 0 and len(a) == len(b):
        ka, kb = tuple_key(a, descending), tuple_key(b, descending)
        assert ka == kb
    elif expected:
        ka, kb = tuple_key(a, descending), tuple_key(b, descending)
        assert ((ka > kb) - (ka < kb)) == expected


def test_documented_kind_order() -> None:
    ordered = [
        -5,
        1,
        1.5,
        b"\x00",
        "",
        "a",
        [],
        [1],
        {},
        {"a": 1},
        ID(1),
        DocRef("A", 1),
        Time(0),
        Date(0),
        UUIDValue(__import__("uuid").UUID(int=0)),
        False,
        True,
        NULL,
    ]
    keys = [sort_key(v) for v in ordered]
    assert keys == sorted(keys)


def test_numbers_compare_across_int_and_double() -> None:
    assert sort_key(1) == sort_key(1.0)
    assert sort_key(2**53 + 1) > sort_key(float(2**53))
    assert sort_key(2**63 - 1) < sort_key(float(2**63))
    assert (
        sort_key(float("-inf"))
        < sort_key(-(2**63))
        < sort_key(float("inf"))
        < sort_key(float("nan"))
    )


def test_strings_sort_by_utf16_code_unit_like_java() -> None:
    # U+FFFF is above U+10000 in UTF-16 (surrogates D800..DFFF < FFFF) though below it by code point.
    assert sort_key("\U00010000") < sort_key("\uffff")
    assert sort_key("a") < sort_key("a\x00") < sort_key("ab")


def test_upper_bound_of_a_prefix_covers_every_extension() -> None:
    bound = prefix_upper_bound(tuple_key([5]))
    for tail in [NULL, "zzz", [9, 9], 10**10]:
        assert tuple_key([5, tail]) < bound
    assert tuple_key([5.000001]) > bound
    desc_bound = prefix_upper_bound(tuple_key([5], [True]))
    assert tuple_key([5, NULL], [True, True]) < desc_bound
    assert tuple_key([4], [True]) > desc_bound
