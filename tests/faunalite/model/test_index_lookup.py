"""An index lookup reads the index, never the collection: a spy on storage's ``scan`` proves it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Value
from faunalite.model.hooks import DataModel
from faunalite.model.session import QuerySession


class ScanSpy:
    """A transaction that records every collection it scans and delegates everything."""

    def __init__(self, txn: Any, scanned: list[str]) -> None:
        self._txn = txn
        self._scanned = scanned

    def scan(self, scope: int, collection: str, **options: Any) -> Any:
        self._scanned.append(collection)
        return self._txn.scan(scope, collection, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._txn, name)


def run(model: DataModel, text: str, scanned: list[str] | None = None) -> Value:
    with model.query_session((), "admin") as session:
        if scanned is not None:
            session.txn = ScanSpy(session.txn, scanned)
        context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
        session.query_context = context
        return _evaluate(session, context, text)


def _evaluate(session: QuerySession, context: QueryContext, text: str) -> Value:
    return run_query(parse_query(text, "*query*"), context)


@pytest.fixture
def model() -> Iterator[DataModel]:
    data_model = DataModel()
    run(
        data_model,
        'Collection.create({ name: "P", indexes: { byName: { terms: [{ field: "name" }],'
        ' values: [{ field: "n" }] } } })',
    )
    run(data_model, 'Set.sequence(0, 200).forEach(i => P.create({ name: "x#{i % 4}", n: i }))')
    yield data_model
    data_model.close()


def test_an_index_lookup_does_not_scan_the_collection(model: DataModel) -> None:
    scanned: list[str] = []
    found = run(model, 'P.byName("x1", { from: 10, to: 30 }).map(.n).toArray()', scanned)
    assert found == [13, 17, 21, 25, 29]
    assert "P" not in scanned


def test_a_full_scan_is_visible_to_the_spy(model: DataModel) -> None:
    # The spy itself works: a `where` over the collection does scan it.
    scanned: list[str] = []
    assert run(model, "P.where(.n == 5).map(.name).toArray()", scanned) == ["x1"]
    assert "P" in scanned
