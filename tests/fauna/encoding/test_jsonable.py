"""``fauna.to_jsonable``/``from_jsonable``: decoded results as plain JSON data, and back."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import uuid
from datetime import date, datetime, timezone
from typing import Any

import pytest

import fauna
from fauna import from_jsonable, to_jsonable
from fauna.encoding import FaunaDecoder, QueryStats, QuerySuccess
from fauna.query import (
    Document,
    DocumentReference,
    EventSource,
    FaunaTime,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
)

TS = FaunaTime(2024, 1, 2, 3, 4, 5, 123456, nanosecond=789)
DOG = Document(id="1", ts=TS, coll=Module("Dogs"), data={"name": "Scout", "born": date(2020, 5, 1)})


def test_document_shape() -> None:
    assert to_jsonable(DOG) == {
        "@doc": {
            "id": "1",
            "coll": "Dogs",
            "ts": "2024-01-02T03:04:05.123456789Z",
            "name": "Scout",
            "born": {"@date": "2020-05-01"},
        }
    }


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        (None, None),
        (True, True),
        (3, 3),
        (1.5, 1.5),
        ("s", "s"),
        ([1, [2]], [1, [2]]),
        ({"a": {"b": 1}}, {"a": {"b": 1}}),
        ({"@int": "1"}, {"@object": {"@int": "1"}}),
        (TS, {"@time": "2024-01-02T03:04:05.123456789Z"}),
        (date(2024, 1, 1), {"@date": "2024-01-01"}),
        (b"\x00\xff", {"@bytes": "AP8="}),
        (uuid.UUID(int=1), {"@uuid": "00000000-0000-0000-0000-000000000001"}),
        (math.inf, {"@double": "Infinity"}),
        (-math.inf, {"@double": "-Infinity"}),
        (Module("Dogs"), {"@mod": "Dogs"}),
        (DocumentReference("Dogs", "1"), {"@ref": {"id": "1", "coll": "Dogs"}}),
        (
            NamedDocumentReference("Collection", "Dogs"),
            {"@ref": {"name": "Dogs", "coll": "Collection"}},
        ),
        (
            NullDocument(DocumentReference("Dogs", "9"), "not found"),
            {"@ref": {"id": "9", "coll": "Dogs", "exists": False, "cause": "not found"}},
        ),
        (
            NamedDocument(name="Dogs", ts=TS, coll=Module("Collection"), data={"history_days": 0}),
            {
                "@doc": {
                    "name": "Dogs",
                    "coll": "Collection",
                    "ts": "2024-01-02T03:04:05.123456789Z",
                    "history_days": 0,
                }
            },
        ),
        (Page(data=[1], after="next"), {"@set": {"data": [1], "after": "next"}}),
        (Page(data=[1]), {"@set": {"data": [1]}}),
        (EventSource("tok"), {"@stream": "tok"}),
    ],
)
def test_shapes_and_round_trip(value: Any, exported: Any) -> None:
    assert to_jsonable(value) == exported
    assert json.loads(json.dumps(exported)) == exported
    assert from_jsonable(exported) == value


def test_nested_result_round_trips_through_json_text() -> None:
    value = {
        "page": Page(data=[DOG, NullDocument(DocumentReference("Dogs", "2"))], after="c"),
        "raw": bytearray(b"ab"),
        "when": [TS, date(1999, 12, 31)],
        "@weird": {"@doc": "not a tag"},
    }
    text = json.dumps(to_jsonable(value))
    back = from_jsonable(json.loads(text))
    assert back == {**value, "raw": b"ab"}
    assert back["when"][0].nanosecond == 789
    assert back["page"].data[0]["name"] == "Scout"


def test_a_document_field_called_name_stays_a_field() -> None:
    doc = Document(id="1", ts=TS, coll=Module("Dogs"), data={"name": "x", "@odd": 1})
    assert from_jsonable(to_jsonable(doc)) == doc


def test_nan_round_trips() -> None:
    assert math.isnan(from_jsonable(to_jsonable(math.nan)))


def test_the_result_of_a_real_decode_round_trips() -> None:
    decoded = FaunaDecoder.decode(
        {
            "@set": {
                "data": [
                    {
                        "@doc": {
                            "id": "1",
                            "coll": {"@mod": "Dogs"},
                            "ts": {"@time": "2024-01-01T00:00:00.000000001Z"},
                            "age": {"@int": "3"},
                            "owner": {"@ref": {"id": "5", "coll": {"@mod": "People"}}},
                        }
                    }
                ],
                "after": "x",
            }
        }
    )
    assert from_jsonable(json.loads(json.dumps(to_jsonable(decoded)))) == decoded


def test_one_way_forms_of_user_values() -> None:
    class Size(enum.Enum):
        S = "s"

    @dataclasses.dataclass
    class Dog:
        name: str
        size: Size

    assert to_jsonable([Dog("a", Size.S), (1, 2)]) == [{"name": "a", "size": "s"}, [1, 2]]


def test_values_without_a_json_form() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_jsonable(datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="keys must be str"):
        to_jsonable({1: "a"})
    with pytest.raises(TypeError, match="no JSON form"):
        to_jsonable(object())
    assert to_jsonable(datetime(2024, 1, 1, tzinfo=timezone.utc)) == {
        "@time": "2024-01-01T00:00:00Z"
    }


def test_malformed_tags_are_value_errors() -> None:
    with pytest.raises(ValueError, match="@ref"):
        from_jsonable({"@ref": {"id": "1"}})
    with pytest.raises(ValueError):
        from_jsonable({"@time": "yesterday"})


def test_models_and_query_success_have_to_jsonable() -> None:
    assert DOG.to_jsonable() == to_jsonable(DOG)
    assert Module("Dogs").to_jsonable() == {"@mod": "Dogs"}
    assert Page(data=[]).to_jsonable() == {"@set": {"data": []}}
    result = QuerySuccess(
        data=[DOG],
        query_tags={"a": "1"},
        static_type="Array<Dogs>",
        stats=QueryStats({"compute_ops": 2}),
        summary="",
        traceparent=None,
        txn_ts=5,
        schema_version=1,
    )
    exported = result.to_jsonable()
    assert exported["data"] == [to_jsonable(DOG)]
    assert exported["stats"]["compute_ops"] == 2
    assert exported["query_tags"] == {"a": "1"} and exported["txn_ts"] == 5
    json.dumps(exported)


def test_exported_at_top_level() -> None:
    assert fauna.to_jsonable is to_jsonable and "from_jsonable" in fauna.__all__


def test_from_jsonable_into_a_type() -> None:
    @dataclasses.dataclass
    class Dog:
        id: str
        coll: str
        ts: datetime
        name: str

    assert from_jsonable(DOG.to_jsonable(), into=Dog) == Dog("1", "Dogs", TS, "Scout")
    assert from_jsonable([{"@date": "2024-01-01"}], into=list[date]) == [date(2024, 1, 1)]
