"""Queries over real HTTP: reply shapes, formats, templates, arguments, tags, timeouts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from faunalite.testing import BackgroundServer, serve_in_background

STATS_KEYS = [
    "compute_ops",
    "read_ops",
    "write_ops",
    "query_time_ms",
    "contention_retries",
    "storage_bytes_read",
    "storage_bytes_write",
    "rate_limits_hit",
]


@pytest.fixture
def http(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=faunalite_server.endpoint,
        headers={"Authorization": f"Bearer {faunalite_server.secret}"},
        timeout=30,
    ) as client:
        yield client


def query(http: httpx.Client, body: dict[str, Any], **headers: str) -> httpx.Response:
    return http.post(
        "/query/1", json=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def test_success_shape_in_order() -> None:
    # A server of its own: the shared one's root database has schema changes from other tests.
    before = time.time_ns() // 1000
    with (
        serve_in_background() as server,
        httpx.Client(
            base_url=server.endpoint, headers={"Authorization": f"Bearer {server.secret}"}
        ) as fresh,
    ):
        response = query(fresh, {"query": "1 + 1"})
    assert response.status_code == 200
    body = response.json()
    # Databases are typechecked by default, as in FaunaDB: static_type follows data.
    assert list(body) == ["data", "static_type", "summary", "txn_ts", "stats", "schema_version"]
    assert body["data"] == 2
    assert body["static_type"] == "Number"
    assert body["summary"] == ""
    assert body["schema_version"] == 0
    assert before <= body["txn_ts"] <= time.time_ns() // 1000 + 1
    assert list(body["stats"]) == STATS_KEYS
    assert body["stats"]["compute_ops"] >= 1
    assert body["stats"]["rate_limits_hit"] == []


def test_txn_ts_strictly_increases(http: httpx.Client) -> None:
    stamps = [query(http, {"query": "1"}).json()["txn_ts"] for _ in range(5)]
    assert stamps == sorted(set(stamps))


def test_default_format_is_simple_and_tagged_on_request(http: httpx.Client) -> None:
    q = {"query": "[1, 2.5, 3000000000, Time('2023-04-06T03:33:32.226Z')]"}
    assert query(http, q).json()["data"] == [1, 2.5, 3000000000, "2023-04-06T03:33:32.226Z"]
    assert query(http, q, x_format="tagged").json()["data"] == [
        {"@int": "1"},
        {"@double": "2.5"},
        {"@long": "3000000000"},
        {"@time": "2023-04-06T03:33:32.226Z"},
    ]


def test_decorated_format_is_fql_text(http: httpx.Client) -> None:
    assert query(http, {"query": "1"}, x_format="decorated").json()["data"] == "1"


def test_template_with_values(http: httpx.Client) -> None:
    body = {"query": {"fql": [{"value": {"@int": "41"}}, " + 1"]}}
    assert query(http, body, x_format="tagged").json()["data"] == {"@int": "42"}


def test_template_values_are_tagged_even_in_simple_format(http: httpx.Client) -> None:
    body = {"query": {"fql": [{"array": [{"value": {"@int": "1"}}, "2"]}, ".length"]}}
    assert query(http, body).json()["data"] == 2
    response = query(http, {"query": {"fql": [{"value": 5}]}})
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == {
        "code": "invalid_query",
        "message": "The query failed 1 validation check",
    }
    assert "numbers must be tagged" in error["summary"]


def test_arguments_are_variables(http: httpx.Client) -> None:
    simple = query(http, {"query": "x + y", "arguments": {"x": 1, "y": 2}})
    assert simple.json()["data"] == 3
    tagged = query(http, {"query": "x * 2", "arguments": {"x": {"@int": "21"}}}, x_format="tagged")
    assert tagged.json()["data"] == {"@int": "42"}


def test_an_overflowing_hex_double_argument_is_infinity(http: httpx.Client) -> None:
    response = query(
        http, {"query": "x", "arguments": {"x": {"@double": "0x1p99999"}}}, x_format="tagged"
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"@double": "Infinity"}


def test_undecodable_argument_is_invalid_request_with_tags(http: httpx.Client) -> None:
    response = query(
        http, {"query": "x", "arguments": {"x": 1}}, x_format="tagged", x_query_tags="t=1"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_request",
            "message": "Invalid argument 'x': numbers must be tagged",
        },
        "query_tags": "t=1",
    }


def test_query_error_shape(http: httpx.Client) -> None:
    response = query(http, {"query": "abort(1)"}, x_format="tagged")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["error", "summary", "txn_ts", "stats", "schema_version"]
    assert body["error"] == {"code": "abort", "message": "Query aborted.", "abort": {"@int": "1"}}
    assert body["summary"].startswith("error: Query aborted.\nat *query*:1:6")


def test_parse_error_is_invalid_query_with_summary(http: httpx.Client) -> None:
    response = query(http, {"query": "1 +"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_query"
    assert body["summary"].startswith("error:")


def test_query_tags_are_echoed_reversed_before_schema_version(http: httpx.Client) -> None:
    body = query(http, {"query": "1"}, x_query_tags="a=1,b_2=xyz").json()
    assert list(body)[-2:] == ["query_tags", "schema_version"]
    assert body["query_tags"] == "b_2=xyz,a=1"


def test_typecheck_linearized_and_driver_headers_are_accepted(http: httpx.Client) -> None:
    body = query(
        http,
        {"query": "1"},
        x_typecheck="true",
        x_linearized="TRUE",
        x_driver="python",
        x_last_txn_ts="1",
        x_max_contention_retries="3",
    ).json()
    assert body["data"] == 1
    # Typechecked: FaunaDB's static_type, right after data (wire-protocol §2).
    assert list(body)[:2] == ["data", "static_type"]
    assert body["static_type"] == "1"


def test_timeout_is_440_when_aggressive(http: httpx.Client) -> None:
    response = query(
        http,
        {"query": "Array.sequence(0, 10000).map(x => Array.sequence(0, 1000).length).length"},
        x_query_timeout_ms="1",
    )
    assert response.status_code == 440
    error = response.json()["error"]
    assert error["code"] == "time_out"
    assert error["message"].startswith("Client set aggressive deadline: query needs 1000")


def test_scoped_root_secret_runs_queries(faunalite_server: BackgroundServer) -> None:
    response = httpx.post(
        f"{faunalite_server.endpoint}/query/1",
        json={"query": "1"},
        headers={"Authorization": "Bearer secret:server"},
    )
    assert response.json()["data"] == 1
