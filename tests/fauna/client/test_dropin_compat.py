"""Details code written for the original driver relies on: import paths and patch points."""

from __future__ import annotations

import pytest
from fauna_fakes import FakeFauna, json_response, protocol_failure, query_success

from conftest import ENDPOINT, SECRET
from fauna import fql
from fauna.client import Client


def test_names_the_original_imported_into_fauna_client_client() -> None:
    from fauna.client.client import (  # noqa: F401
        ClientError,
        FaunaDecoder,
        FaunaEncoder,
        FaunaError,
        Header,
        LastTxnTs,
        NetworkError,
        ProtocolError,
        QueryStats,
        QueryTags,
        Retryable,
        RetryableFaunaException,
        _Auth,
        _DriverEnvironment,
        _Environment,
        _Header,
        fql,
        logger,
    )


def test_patching_retryable_sleep_makes_the_sync_clients_backoff_instant(
    fake: FakeFauna, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("fauna.client.retryable.sleep", waits.append)
    throttled = json_response(429, protocol_failure("limit_exceeded", "slow down", with_stats=True))
    fake.reply("/query/1", throttled, json_response(200, query_success({"@int": "1"})))
    with Client(endpoint=ENDPOINT, secret=SECRET, transport=fake.transport()) as client:
        assert client.query(fql("1")).stats.attempts == 2
    assert len(waits) == 1 and 0 <= waits[0] <= 1


def test_retryable_sleeps_through_the_same_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    from fauna.client.retryable import Retryable
    from fauna.errors import RetryableFaunaException

    waits: list[float] = []
    monkeypatch.setattr("fauna.client.retryable.sleep", waits.append)
    outcomes: list[object] = [RetryableFaunaException("again"), "done"]

    def attempt() -> object:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result = Retryable[object](3, 20, attempt).run()
    assert (result.attempts, result.response, len(waits)) == (2, "done", 1)


def test_help_shows_each_clients_real_parameter_types() -> None:
    import inspect
    import pydoc

    import httpx

    from fauna.client import AsyncClient
    from fauna.http import HTTPClient

    sync_parameters = inspect.signature(Client).parameters
    assert sync_parameters["http_client"].annotation == HTTPClient | httpx.Client | None
    assert sync_parameters["transport"].annotation == httpx.BaseTransport | None
    assert sync_parameters["endpoint"].annotation == str | None
    async_parameters = inspect.signature(AsyncClient).parameters
    assert async_parameters["http_client"].annotation == httpx.AsyncClient | None
    text = pydoc.render_doc(Client, renderer=pydoc.plaintext)
    assert "PoolT" not in text.split("Methods defined here")[0]
    assert "http_client: fauna.http.http_client.HTTPClient | httpx.Client | None" in text


def test_every_client_parameter_is_documented() -> None:
    import inspect

    doc = inspect.getdoc(Client.__init__) or ""
    for name in inspect.signature(Client).parameters:
        assert f":param {name}:" in doc, name


def test_query_success_and_query_stats_document_their_parts() -> None:
    import inspect

    from fauna.encoding import QueryStats, QuerySuccess

    success_doc = inspect.getdoc(QuerySuccess.__init__) or ""
    for name in list(inspect.signature(QuerySuccess).parameters):
        assert f":param {name}:" in success_doc, name
        assert inspect.getdoc(getattr(QuerySuccess, name)), name
    assert ":param stats:" in (inspect.getdoc(QueryStats.__init__) or "")
    for name in ("compute_ops", "read_ops", "write_ops", "query_time_ms", "storage_bytes_read"):
        assert inspect.getdoc(getattr(QueryStats, name)), name
    assert inspect.getdoc(QueryStats.contention_retries)
    assert inspect.getdoc(QueryStats.storage_bytes_write)
    assert inspect.getdoc(QueryStats.attempts)


def test_a_subclass_with_its_own_constructor_shows_its_own_signature() -> None:
    import inspect

    class Custom(Client):
        def __init__(self, name: str) -> None:
            super().__init__(secret=name)

    class Plain(Client):
        pass

    assert list(inspect.signature(Custom).parameters) == ["name"]
    assert inspect.signature(Plain) == inspect.signature(Client)
