"""Property: whatever a client posts, the server answers in FaunaDB's shapes, never with a 500.

Random FQL-ish text, random templates and mutated bodies go over real HTTP. Every reply must
be JSON with a known status; a query that fails to check must be a 400 ``invalid_query`` with
a summary.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faunalite.testing import BackgroundServer

FQL_PIECES = [
    "1",
    "2.5",
    "'a'",
    '"b#{1}"',
    "null",
    "true",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!",
    "?.",
    "??",
    "=>",
    "x",
    "let",
    "if",
    "else",
    "abort",
    "log",
    "dbg",
    "Math",
    "Time",
    "length",
    "map",
    "\n",
    " ",
    ";",
    ":",
    "$0",
    "@",
    "#",
    "\\",
    "'unterminated",
]
fql_text = st.lists(st.sampled_from(FQL_PIECES), max_size=12).map("".join) | st.text(max_size=30)
tagged_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(
        [
            {"@int": "1"},
            {"@int": "x"},
            {"@long": "9"},
            {"@double": "NaN"},
            {"@set": "c"},
            {"@date": "2020-02-30"},
            {"@time": "2020-01-01T00:00:00Z"},
            {"@bytes": "AQ"},
            {"@mod": "Time"},
            {"@doc": {"coll": {"@mod": "Time"}, "id": "1"}},
            {"@object": 1},
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
fragment = st.recursive(
    fql_text | st.builds(lambda v: {"value": v}, tagged_json),
    lambda inner: (
        st.builds(lambda items: {"fql": items}, st.lists(inner, max_size=4))
        | st.builds(lambda items: {"array": items}, st.lists(inner, max_size=3))
        | st.builds(
            lambda fields: {"object": fields},
            st.dictionaries(st.text(max_size=3), inner, max_size=3),
        )
        | st.lists(inner, max_size=2)
        | st.integers()
    ),
    max_leaves=10,
)
body = st.fixed_dictionaries(
    {"query": fql_text | fragment},
    optional={
        "arguments": st.dictionaries(st.text(max_size=3), tagged_json, max_size=2) | tagged_json,
        "extra": st.integers(),
    },
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "x-format": st.sampled_from(["simple", "tagged", "decorated", "bogus"]),
        "x-query-timeout-ms": st.sampled_from(["1", "5000", "0", "abc"]),
        "x-query-tags": st.sampled_from(["a=1", "a=1,a=2", "!", ""]),
    },
)


def mutate(raw: bytes, cut: int, junk: bytes) -> bytes:
    position = cut % (len(raw) + 1)
    return raw[:position] + junk + raw[position:]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=body,
    request_headers=headers,
    mutation=st.none() | st.tuples(st.integers(0, 10_000), st.binary(max_size=4)),
)
def test_server_never_fails_unexpectedly(
    faunalite_server: BackgroundServer,
    payload: dict[str, Any],
    request_headers: dict[str, str],
    mutation: tuple[int, bytes] | None,
) -> None:
    raw = json.dumps(payload).encode()
    if mutation is not None:
        raw = mutate(raw, *mutation)
    response = httpx.post(
        f"{faunalite_server.endpoint}/query/1",
        content=raw,
        headers={"Authorization": "Bearer secret", **request_headers},
        timeout=30,
    )
    assert response.status_code in (200, 400, 440, 503), response.text
    reply = response.json()
    if response.status_code == 200:
        assert "data" in reply and "summary" in reply
        return
    error = reply["error"]
    assert set(error) >= {"code", "message"}
    if error["code"] == "invalid_query":
        assert reply["summary"].startswith("error")
    elif error["code"] not in ("invalid_request", "time_out"):
        # A runtime failure: the query-error shape.
        assert {"summary", "txn_ts", "stats", "schema_version"} <= set(reply)
