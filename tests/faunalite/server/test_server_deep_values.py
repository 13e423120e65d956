"""Values built at run time deeper than the server's walks over them can follow: the query
answers FaunaDB's 400 ``stack_overflow`` (and commits nothing), never a 500 RecursionError.

Over HTTP, because the walks need the server's big worker-thread stacks (``faunalite.fql``).
"""

from __future__ import annotations

import httpx
import pytest

from faunalite.testing import BackgroundServer

DEEP_ARRAY = "Set.sequence(0, 100000).fold([], (acc, x) => [acc])"
DEEP_OBJECT = "Set.sequence(0, 40000).fold({}, (acc, x) => { a: acc })"


def post(server: BackgroundServer, query: str, wire_format: str) -> httpx.Response:
    return httpx.post(
        f"{server.endpoint}/query/1",
        json={"query": query},
        headers={
            "Authorization": f"Bearer {server.secret}",
            "X-Format": wire_format,
            "X-Query-Timeout-Ms": "30000",
        },
        timeout=60,
    )


@pytest.mark.parametrize(
    ("query", "wire_format"),
    [
        # Too deep to materialise (the walk replacing sets by their first page).
        (DEEP_ARRAY, "simple"),
        ("Set.sequence(0, 50000).fold(null, (acc, x) => { a: acc, b: [acc] })", "tagged"),
        # Materialised, but too deep to encode.
        (DEEP_OBJECT, "simple"),
        (DEEP_OBJECT, "tagged"),
        (DEEP_OBJECT, "decorated"),
        (f"abort({DEEP_OBJECT})", "tagged"),
    ],
)
def test_a_result_too_deep_to_return_is_a_stack_overflow(
    faunalite_server: BackgroundServer, query: str, wire_format: str
) -> None:
    response = post(faunalite_server, query, wire_format)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "stack_overflow",
        "message": "number of stack frames exceeded limit of 2048",
    }


def test_a_write_whose_result_is_too_deep_to_return_commits_nothing(
    faunalite_server: BackgroundServer,
) -> None:
    assert post(faunalite_server, 'Collection.create({ name: "DeepResults" })', "simple").is_success
    query = f"DeepResults.create({{ n: 1 }}); {DEEP_OBJECT}"
    assert post(faunalite_server, query, "simple").status_code == 400
    count = post(faunalite_server, "DeepResults.all().count()", "simple")
    assert count.json()["data"] == 0


def test_a_result_too_large_to_encode_in_time_is_a_time_out(
    faunalite_server: BackgroundServer,
) -> None:
    # 60 objects, 2**60 paths: encoding stops at the deadline instead of running on.
    shared = "Set.sequence(0, 60).fold(null, (acc, x) => { a: acc, b: [acc] })"
    response = httpx.post(
        f"{faunalite_server.endpoint}/query/1",
        json={"query": shared},
        headers={
            "Authorization": f"Bearer {faunalite_server.secret}",
            "X-Query-Timeout-Ms": "2000",
        },
        timeout=60,
    )
    assert response.status_code in (440, 503), response.text
    assert response.json()["error"]["code"] == "time_out"


def test_a_result_too_long_to_render_in_the_decorated_format_is_value_too_large(
    faunalite_server: BackgroundServer,
) -> None:
    shared = "Set.sequence(0, 60).fold(null, (acc, x) => { a: acc, b: [acc] })"
    response = post(faunalite_server, shared, "decorated")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "value_too_large"
