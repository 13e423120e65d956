"""What the pytest plugin's per-test isolation costs: a fresh child database per test against
one session server, compared with a whole server per test.

    .venv/bin/python benchmarks/pytest_fixtures.py [--rounds 50]

Each round does what ``fauna_client`` does around a test (create a database, build a client,
run one query in it, close the client, delete the database), or, for comparison, starts and
stops an in-process faunalite and runs the same query. Prints milliseconds per test and the
ratio.
"""

from __future__ import annotations

import argparse
import time
import uuid

from fauna import fql
from fauna.cli.connection import WireSession
from fauna.client import Client
from faunalite.pytest_plugin import FaunaTestDatabase
from faunalite.testing import serve_in_background


def per_test_database(rounds: int) -> float:
    with serve_in_background() as server, WireSession(server.endpoint, server.secret) as root:
        started = time.perf_counter()
        for _ in range(rounds):
            name = f"bench_{uuid.uuid4().hex[:12]}"
            root.query("Database.create({ name: name })\nnull", {"name": name})
            database = FaunaTestDatabase(name, server.endpoint, server.secret, root.http)
            client = database.client()
            client.query(fql("Collection.all().count()"))
            database.close_clients()
            root.query("Database.byName(name)?.delete()\nnull", {"name": name})
        return (time.perf_counter() - started) / rounds


def per_test_server(rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        with (
            serve_in_background() as server,
            Client(endpoint=server.endpoint, secret=server.secret) as client,
        ):
            client.query(fql("Collection.all().count()"))
    return (time.perf_counter() - started) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    database = per_test_database(rounds)
    server = per_test_server(rounds)
    print(f"fresh database per test: {database * 1000:7.2f} ms")
    print(f"fresh server per test:   {server * 1000:7.2f} ms")
    print(f"server / database:       {server / database:7.2f}x")


if __name__ == "__main__":
    main()
