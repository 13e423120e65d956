"""``WireSession`` over canned HTTP replies (``httpx.MockTransport``): what it sends, and how
each kind of reply becomes data or a ``CliError`` with its exit code."""

from __future__ import annotations

import json

import httpx
import pytest

from fauna.cli.connection import (
    EXIT_QUERY_FAILED,
    EXIT_UNAUTHORIZED,
    EXIT_UNREACHABLE,
    QueryFailed,
    Unreachable,
    WireSession,
)


def session_replying(reply: httpx.Response, seen: list[httpx.Request]) -> WireSession:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply

    http = httpx.Client(transport=httpx.MockTransport(handle))
    return WireSession("http://fauna.test/", "k:db:server", http=http)


def test_request_headers_and_body() -> None:
    seen: list[httpx.Request] = []
    session = session_replying(httpx.Response(200, json={"data": {"@int": "1"}}), seen)
    data = session.query(
        "x", {"x": {"@int": "1"}}, format="simple", typecheck=False, query_timeout_ms=1500
    )
    assert data == {"@int": "1"}
    [request] = seen
    assert request.url == "http://fauna.test/query/1"
    assert request.headers["authorization"] == "Bearer k:db:server"
    assert request.headers["x-format"] == "simple"
    assert request.headers["x-typecheck"] == "false"
    assert request.headers["x-query-timeout-ms"] == "1500"
    assert json.loads(request.content) == {"query": "x", "arguments": {"x": {"@int": "1"}}}


def test_child_scopes_the_secret() -> None:
    seen: list[httpx.Request] = []
    session_replying(httpx.Response(200, json={"data": None}), seen).child("inner").query("1")
    assert seen[0].headers["authorization"] == "Bearer k:db/inner:server"


@pytest.mark.parametrize(
    ("reply", "code", "exit_code"),
    [
        (
            httpx.Response(401, json={"error": {"code": "unauthorized", "message": "m"}}),
            "unauthorized",
            EXIT_UNAUTHORIZED,
        ),
        (
            httpx.Response(400, json={"error": {"code": "abort", "message": "m"}}),
            "abort",
            EXIT_QUERY_FAILED,
        ),
        (
            httpx.Response(
                404, json={"errors": [{"code": "not found", "description": "Not Found"}]}
            ),
            "not found",
            EXIT_QUERY_FAILED,
        ),
    ],
)
def test_error_replies(reply: httpx.Response, code: str, exit_code: int) -> None:
    with pytest.raises(QueryFailed) as failure:
        session_replying(reply, []).query("1")
    assert (failure.value.code, failure.value.exit_code) == (code, exit_code)


def test_a_reply_that_is_not_faunadb() -> None:
    with pytest.raises(Unreachable) as failure:
        session_replying(httpx.Response(502, text="<html>bad gateway</html>"), []).query("1")
    assert failure.value.exit_code == EXIT_UNREACHABLE
    assert failure.value.message == (
        "http://fauna.test answered HTTP 502 with a body that is not JSON; "
        "is it a FaunaDB endpoint?"
    )


def test_abort_value_is_rendered() -> None:
    reply = httpx.Response(
        400,
        json={
            "error": {"code": "abort", "message": "Query aborted.", "abort": {"@int": "7"}},
            "summary": "s",
        },
    )
    with pytest.raises(QueryFailed) as failure:
        session_replying(reply, []).query("abort(7)")
    assert failure.value.render() == 'error: abort: Query aborted.\nabort value: {"@int": "7"}\ns'
