"""ID(), Bytes() and the ID/Bytes/UUID prototypes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.registry import MODULES, PROTOTYPES
from faunalite.fql.values import ID, Module, UUIDValue

CTX: Any = None


def construct(module: str, *args: Any) -> Any:
    entry = MODULES[module].apply
    assert entry is not None
    return entry.impl(CTX, Module(module), *args)


def fails(code: str, message: str, module: str, *args: Any) -> None:
    with pytest.raises(QueryError) as caught:
        construct(module, *args)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_id_from_strings_and_integers() -> None:
    assert construct("ID", "123") == ID(123)
    assert construct("ID", 123) == ID(123)
    assert construct("ID", "-5") == ID(-5)
    assert construct("ID", "9223372036854775807") == ID(2**63 - 1)
    assert PROTOTYPES[ID].methods["toString"].impl(CTX, ID(7)) == "7"


def test_invalid_ids_show_the_argument_in_debug_form() -> None:
    fails("invalid_id", '`"abc"` is not a valid ID.', "ID", "abc")
    fails("invalid_id", '`"9223372036854775808"` is not a valid ID.', "ID", "9223372036854775808")
    fails("invalid_id", "`1.5` is not a valid ID.", "ID", 1.5)
    fails(
        "invalid_argument",
        "expected arguments to `ID` of type (String) | (Number), received (Boolean)",
        "ID",
        True,
    )


def test_bytes_round_trip_through_base64() -> None:
    data = construct("Bytes", "AP8=")
    assert data == b"\x00\xff"
    assert MODULES["Bytes"].methods["fromBase64"].impl(CTX, Module("Bytes"), "AP8") == data
    assert PROTOTYPES[bytes].methods["toBase64"].impl(CTX, data) == "AP8="
    assert PROTOTYPES[bytes].methods["toString"].impl(CTX, data) == "AP8="
    assert construct("Bytes", "") == b""


@pytest.mark.parametrize("text", ["A", "AP8=x", "AP-_", "AP 8="])
def test_malformed_base64_is_rejected(text: str) -> None:
    fails("invalid_argument", "invalid argument `encoded`: invalid base64 string", "Bytes", text)


def test_uuid_to_string() -> None:
    value = UUIDValue(uuid.UUID(int=1))
    assert PROTOTYPES[UUIDValue].methods["toString"].impl(CTX, value) == (
        "00000000-0000-0000-0000-000000000001"
    )
    assert MODULES["UUID"].apply is None
