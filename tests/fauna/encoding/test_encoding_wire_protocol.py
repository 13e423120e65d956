"""Result classes: QueryStats, QueryInfo, QuerySuccess, ConstraintFailure, QueryTags."""

from __future__ import annotations

import pickle

import pytest

from fauna.encoding import ConstraintFailure, QueryInfo, QueryStats, QuerySuccess, QueryTags
from fauna.query import Module

STATS = {
    "compute_ops": 1,
    "read_ops": 2,
    "write_ops": 3,
    "query_time_ms": 4,
    "storage_bytes_read": 5,
    "storage_bytes_write": 6,
    "contention_retries": 7,
}


def test_query_stats_fields_default_to_zero() -> None:
    stats = QueryStats(STATS)
    assert (stats.compute_ops, stats.read_ops, stats.write_ops) == (1, 2, 3)
    assert (stats.query_time_ms, stats.storage_bytes_read, stats.storage_bytes_write) == (4, 5, 6)
    assert stats.contention_retries == 7
    assert stats.attempts == 0
    empty = QueryStats({})
    assert empty.compute_ops == empty.contention_retries == empty.attempts == 0


def test_query_stats_attempts_are_settable_and_compared() -> None:
    stats = QueryStats(STATS)
    stats.attempts = 3
    assert stats.attempts == 3
    assert stats != QueryStats(STATS)
    other = QueryStats(STATS)
    other.attempts = 3
    assert stats == other
    assert QueryStats({}) != {"compute_ops": 0}


def test_query_stats_repr_round_trips() -> None:
    stats = QueryStats({"compute_ops": 1})
    stats.attempts = 2
    assert repr(stats) == (
        "QueryStats(stats={'compute_ops': 1, 'read_ops': 0, 'write_ops': 0, 'query_time_ms': 0, "
        "'storage_bytes_read': 0, 'storage_bytes_write': 0, 'contention_retries': 0, "
        "'attempts': 2})"
    )
    assert eval(repr(stats)) == stats


def test_query_info_defaults() -> None:
    info = QueryInfo()
    assert info.query_tags == {}
    assert info.stats == QueryStats({})
    assert info.summary == ""
    assert info.txn_ts == 0
    assert info.schema_version == 0
    assert repr(info) == (
        "QueryInfo(query_tags={},stats=" + repr(QueryStats({})) + ",summary='',txn_ts=0,"
        "schema_version=0)"
    )


def test_query_success() -> None:
    success = QuerySuccess(
        data=[Module("M")],
        query_tags={"a": "b"},
        static_type="Array<M>",
        stats=QueryStats(STATS),
        summary="sum",
        traceparent="00-abc-def-01",
        txn_ts=1679321651600296,
        schema_version=2,
    )
    assert success.data == [Module("M")]
    assert success.query_tags == {"a": "b"}
    assert success.static_type == "Array<M>"
    assert success.stats == QueryStats(STATS)
    assert success.summary == "sum"
    assert success.traceparent == "00-abc-def-01"
    assert success.txn_ts == 1679321651600296
    assert success.schema_version == 2
    assert isinstance(success, QueryInfo)
    assert repr(success).startswith("QuerySuccess(query_tags={'a': 'b'},static_type='Array<M>',")
    assert repr(success).endswith(
        ",txn_ts=1679321651600296,schema_version=2,data=[Module(name='M')])"
    )


def test_query_success_needs_every_field_and_applies_defaults() -> None:
    with pytest.raises(TypeError):
        QuerySuccess(1)  # type: ignore[call-arg]
    success = QuerySuccess(None, None, None, None, None, None, None, None)
    assert success.query_tags == {} and success.stats == QueryStats({})
    assert success.summary == "" and success.txn_ts == 0 and success.schema_version == 0
    assert success.static_type is None and success.traceparent is None
    assert pickle.loads(pickle.dumps(success)).stats == success.stats


def test_constraint_failure() -> None:
    failure = ConstraintFailure("bad", paths=[["name"], ["address", "city"]])
    assert failure.name is None
    assert failure == ConstraintFailure(
        message="bad", name=None, paths=[["name"], ["address", "city"]]
    )
    assert failure != ConstraintFailure("bad")
    assert repr(ConstraintFailure("m", "n", [["a"]])) == (
        "ConstraintFailure(message='m', name='n', paths=[['a']])"
    )


def test_query_tags() -> None:
    assert QueryTags.encode({"project": "teapot", "hello": "world"}) == "project=teapot,hello=world"
    assert QueryTags.encode({}) == ""
    assert QueryTags.decode("project=teapot,hello=world") == {"project": "teapot", "hello": "world"}
    assert QueryTags.decode("a=b=c") == {"a": "b=c"}
    assert QueryTags.decode("") == {}
    assert QueryTags.decode("flag") == {"flag": ""}
