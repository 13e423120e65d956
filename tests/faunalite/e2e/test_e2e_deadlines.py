"""Deadlines FaunaDB can never meet, through the ``fauna`` driver: a 1 ms ``query_timeout``
is a 440 ``time_out`` ("aggressive deadline") for a query and for a feed page alike, as the
official drivers' integration tests expect of FaunaDB."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fauna import fql
from fauna.client import Client, FeedOptions, QueryOptions
from fauna.errors import QueryTimeoutError, ServiceTimeoutError

ONE_MS = timedelta(milliseconds=1)
# The figure is the time the request took, at least the deadline: 1 ms, more on a busy machine.
AGGRESSIVE = re.compile(r"Client set aggressive deadline: query needs 1000, timed out within \d+")


def test_a_trivial_query_with_a_1ms_deadline_times_out(db: Client) -> None:
    with pytest.raises(QueryTimeoutError) as caught:
        db.query(fql("1 + 1"), QueryOptions(query_timeout=ONE_MS))
    error = caught.value
    assert (error.status_code, error.code) == (440, "time_out")
    assert AGGRESSIVE.fullmatch(error.message), error.message


def test_a_write_with_a_1ms_deadline_commits_nothing(db: Client) -> None:
    with pytest.raises(QueryTimeoutError):
        db.query(fql('Collection.create({ name: "Hasty" })'), QueryOptions(query_timeout=ONE_MS))
    assert db.query(fql('Collection.byName("Hasty") == null')).data is True


def test_a_query_with_a_1s_deadline_answers(db: Client) -> None:
    assert db.query(fql("1 + 1"), QueryOptions(query_timeout=timedelta(seconds=1))).data == 2


def test_a_feed_page_with_a_1ms_deadline_times_out(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Product" })'))
    source = db.query(fql("Product.all().eventSource()")).data
    with pytest.raises(QueryTimeoutError) as caught:
        next(iter(db.feed(source, FeedOptions(query_timeout=ONE_MS))))
    error = caught.value
    assert (error.status_code, error.code) == (440, "time_out")
    assert AGGRESSIVE.fullmatch(error.message), error.message


# `fold` doubling its accumulator: a tree of 2**40 arrays in a few kilobytes of memory.
SHARED = "Array.sequence(0, 40).fold([1], (acc, x) => [acc, acc])"


@pytest.mark.parametrize(
    "query",
    [
        f"let a = {SHARED}; let b = {SHARED}; a == b",
        f"let a = {SHARED}; let b = {SHARED}; [a, b].distinct().length",
        '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".matches("(a|aa)+$$")',  # `$$`: a literal `$`
    ],
    ids=["equality", "distinct", "catastrophic-regex"],
)
def test_a_walk_or_match_that_would_outlast_the_deadline_times_out(
    db: Client, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Past a deadline of 1 s or more, FaunaDB's time_out is the server's (503), not the client's.
    with pytest.raises(ServiceTimeoutError) as caught:
        db.query(fql(query), QueryOptions(query_timeout=timedelta(milliseconds=1500)))
    error = caught.value
    assert (error.status_code, error.code, error.message) == (503, "time_out", "Read timed out")
    # The server keeps answering, and the query's own worker gave that answer (the regex
    # engine's CPU-time limit may leave the watchdog to answer on a starved machine).
    assert db.query(fql("1 + 1")).data == 2
    if "matches" not in query:
        assert "overran its deadline" not in caplog.text
