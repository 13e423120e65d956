"""Event source tokens and cursors on their own: free variables, signing, tampering, parsing."""

from __future__ import annotations

import base64

import pytest

from faunalite.events.capture import CapturedFunction, free_names
from faunalite.events.sources import (
    EventSourceSpec,
    InvalidToken,
    SourceRoot,
    SourceStep,
    decode_token,
    encode_token,
)
from faunalite.events.translate import InvalidCursor, decode_cursor, encode_cursor
from faunalite.fql.parser import parse_query
from faunalite.storage.interface import MAX_ORDINAL, EventCursor

KEY = b"k" * 32


def _names(query: str) -> set[str]:
    return free_names(parse_query(query, "*query*").body)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("x => x.price > limit", {"limit"}),
        (".price > limit && .name == $0", {"limit", "$0"}),
        ("x => { let y = x.a; y + z }", {"z"}),
        ("x => { let z = 1; z }", set()),
        ("x => x.items.map(i => i.n * factor)", {"factor"}),
        ("x => x { total: .a + offset, name }", {"offset"}),
        ('x => "#{prefix}-#{x.id}"', {"prefix"}),
        ("x => Product.byId(x.id)", {"Product"}),
    ],
)
def test_free_names_are_what_a_function_reads_but_does_not_bind(
    query: str, names: set[str]
) -> None:
    assert _names(f"f({query})") == names | {"f"}


def _spec() -> EventSourceSpec:
    return EventSourceSpec(
        scope=3,
        created_ts=1_700_000_000_000_000,
        root=SourceRoot(
            "index", "Product", text='Product.byColor("red")', index="i1", terms=("red",)
        ),
        steps=(SourceStep("where", CapturedFunction(".price > lim", (("lim", {"val": "AQ=="}),))),),
        watched=(("price",), ("stock", 0)),
    )


def test_a_token_round_trips_its_spec() -> None:
    spec = _spec()
    assert decode_token(encode_token(spec, KEY), KEY) == spec


def test_a_token_signed_with_another_key_is_refused() -> None:
    with pytest.raises(InvalidToken):
        decode_token(encode_token(_spec(), KEY), b"x" * 32)


def test_a_token_without_a_key_is_refused() -> None:
    with pytest.raises(InvalidToken):
        decode_token(encode_token(_spec(), KEY), None)


@pytest.mark.parametrize("position", [0, 5, -1])
def test_any_changed_byte_invalidates_a_token(position: int) -> None:
    raw = bytearray(base64.b64decode(encode_token(_spec(), KEY)))
    raw[position] ^= 0x20
    with pytest.raises(InvalidToken):
        decode_token(base64.b64encode(bytes(raw)).decode(), KEY)


@pytest.mark.parametrize("token", ["", "not base64!", "AAAA", "e30="])
def test_garbage_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        decode_token(token, KEY)


@pytest.mark.parametrize(
    "cursor",
    [EventCursor(0, 0), EventCursor(1_700_000_000_000_000, 7), EventCursor(5, MAX_ORDINAL)],
)
def test_cursors_round_trip(cursor: EventCursor) -> None:
    assert decode_cursor(encode_cursor(cursor)) == cursor


@pytest.mark.parametrize("text", ["", "x", "bm9wZQ==", base64.b64encode(b"1.-2").decode()])
def test_bad_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text)
