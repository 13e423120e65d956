"""The iteration order of Scala hash sets of strings, which FaunaDB's output follows."""

from __future__ import annotations

from faunalite.model.documents import SPECIAL_FIELD_NAMES, SPECIAL_FIELDS_SHOWN_ORDER
from faunalite.model.hash_order import hash_set_order, java_string_hash


def test_java_string_hash() -> None:
    assert java_string_hash("") == 0
    assert java_string_hash("a") == 97
    # Negative Java ints come out as their unsigned 32-bit form.
    assert java_string_hash("polygenelubricants") == 0x80000000


def test_order_does_not_depend_on_insertion_order() -> None:
    names = ["ok", "ko", "a", "b", "zeta", "update"]
    assert hash_set_order(names) == hash_set_order(reversed(names))
    assert sorted(hash_set_order(names)) == sorted(names)


def test_orders_faunadb_specs_show() -> None:
    # FQL2CheckConstraintsSpec "forbid duplicate check names" lists 'ko' before 'ok'.
    assert hash_set_order(["ok", "ko"]) == ["ko", "ok"]
    assert set(SPECIAL_FIELDS_SHOWN_ORDER) == SPECIAL_FIELD_NAMES
