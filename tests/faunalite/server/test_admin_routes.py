"""faunalite's own ``/faunalite/reset`` route and ``BackgroundServer.reset()``, on a server of
their own (emptying the shared session server would disturb other tests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fauna.cli.connection import WireSession
from faunalite.testing import BackgroundServer, serve_in_background

EVERYTHING = (
    "[Database.all().count(), Collection.all().count(), Function.all().count(),"
    " Role.all().count(), Key.all().count()]"
)


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="root") as server:
        yield server


def fill(session: WireSession) -> None:
    session.query("Database.create({ name: 'app' })")
    session.child("app").query("Collection.create({ name: 'Inside' })")
    session.query("Collection.create({ name: 'Dog' })")
    session.query("Dog.create({ name: 'Rex' })")
    session.query(
        "Role.create({ name: 'r', privileges: [{ resource: 'Dog', actions: { read: true } }] })"
    )
    session.query("Function.create({ name: 'f', body: 'x => x', role: 'r' })")
    session.query("Key.create({ role: 'server' })")


def test_python_reset_empties_the_server(server: BackgroundServer) -> None:
    with WireSession(server.endpoint, server.secret) as session:
        fill(session)
        assert session.query(EVERYTHING, format="simple") == [1, 1, 1, 1, 1]
        server.reset()
        assert session.query(EVERYTHING, format="simple") == [0, 0, 0, 0, 0]
        # The names are free again and the server still works.
        fill(session)


def test_http_reset_needs_the_root_secret(server: BackgroundServer) -> None:
    url = f"{server.endpoint}/faunalite/reset"
    with WireSession(server.endpoint, server.secret) as session:
        fill(session)
        denied = httpx.post(url, headers={"Authorization": "Bearer root:app:admin"})
        assert denied.status_code == 401
        assert denied.json()["error"] == {
            "code": "unauthorized",
            "message": "Access token required",
        }
        wrong_method = httpx.get(url, headers={"Authorization": "Bearer root"})
        assert wrong_method.status_code == 405
        assert session.query(EVERYTHING, format="simple") == [1, 1, 1, 1, 1]
        done = httpx.post(url, headers={"Authorization": "Bearer root"})
        assert (done.status_code, done.json()) == (200, {"reset": True})
        assert session.query(EVERYTHING, format="simple") == [0, 0, 0, 0, 0]


def test_other_paths_still_reach_faunadb_routes(server: BackgroundServer) -> None:
    response = httpx.get(f"{server.endpoint}/faunalite/other")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": "not found", "description": "Not Found"}]}
