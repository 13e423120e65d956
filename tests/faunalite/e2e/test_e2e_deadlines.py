"""Deadlines FaunaDB can never meet, through the ``fauna`` driver: a 1 ms ``query_timeout``
is a 440 ``time_out`` ("aggressive deadline") for a query and for a feed page alike, as the
official drivers' integration tests expect of FaunaDB."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fauna import fql
from fauna.client import Client, FeedOptions, QueryOptions
from fauna.errors import QueryTimeoutError

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
