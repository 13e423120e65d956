"""Unit tests of index field paths: the accepted spellings and how a path reads a document."""

from __future__ import annotations

import pytest

from faunalite.fql.values import ID, NULL, Time
from faunalite.model.field_paths import parse_field_path, read_path


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("name", ("name",)),
        (".name", ("name",)),
        ("address.city", ("address", "city")),
        (".a[0].b", ("a", 0, "b")),
        ('["a"]["bc"][0]', ("a", "bc", 0)),
        ("['a b'][2]", ("a b", 2)),
        ('.data["x.y"]', ("data", "x.y")),
    ],
)
def test_valid_paths(text: str, steps: tuple[object, ...]) -> None:
    assert parse_field_path(text) == steps


@pytest.mark.parametrize("text", ["", ".", "a.", "a..b", "a[", "a[x]", "1a", "a b", "a.[0]"])
def test_invalid_paths(text: str) -> None:
    assert parse_field_path(text) is None


def test_read_path_reads_user_fields_and_metadata() -> None:
    stored = {"data": {"name": "Ann", "tags": ["x", {"k": 1}], "id": "user id"}}
    assert read_path(7, stored, 1_000, ("name",)) == "Ann"
    assert read_path(7, stored, 1_000, ("data", "name")) == "Ann"
    assert read_path(7, stored, 1_000, ("tags", 1, "k")) == 1
    assert read_path(7, stored, 1_000, ("id",)) == ID(7)
    # A user field named like metadata is only reachable under `data`.
    assert read_path(7, stored, 1_000, ("data", "id")) == "user id"
    assert read_path(7, stored, 1_000, ("ts",)) == Time(1_000_000)


def test_read_path_gives_null_for_what_is_absent() -> None:
    stored = {"data": {"tags": ["x"], "n": 1}}
    assert read_path(7, stored, 0, ("missing",)) == NULL
    assert read_path(7, stored, 0, ("tags", 5)) == NULL
    assert read_path(7, stored, 0, ("n", "deeper")) == NULL
    assert read_path(7, stored, 0, ("ttl",)) == NULL
