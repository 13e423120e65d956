"""``fauna schema`` as a user runs it: exit codes and messages in a subprocess against a stub
HTTP server that answers as FaunaDB documents, and against faunalite a push → pull round trip
and a staged push committed or abandoned (skipped while faunalite answers 501 for
``/schema/1``)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_fauna_cli import fauna, free_port

from faunalite.pytest_plugin import FaunaTestDatabase
from faunalite.testing import BackgroundServer, serve_in_background

MAIN = "collection Dog {\n  name: String\n}\n"


class StubFauna:
    """One reply (status, JSON body) for every request; remembers the paths it was asked."""

    def __init__(self) -> None:
        self.status: int = 200
        self.body: Any = {}
        self.paths: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                stub.paths.append(f"{self.command} {self.path}")
                payload = json.dumps(stub.body).encode()
                self.send_response(stub.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, status: int, body: Any) -> None:
        self.status, self.body = status, body


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any FAUNA_* setting, and no profile file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FAUNA_")}
    env["FAUNA_CONFIG"] = str(tmp_path / "config.ini")
    return env


@pytest.fixture
def stub() -> Iterator[StubFauna]:
    server = StubFauna()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    thread.join()


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "schema"
    directory.mkdir()
    (directory / "main.fsl").write_text(MAIN)
    return directory


def stub_flags(stub: StubFauna) -> list[str]:
    return ["--endpoint", stub.endpoint, "--secret", "s3cret"]


def test_a_rejected_push_prints_faunadbs_message_and_exits_5(
    stub: StubFauna, schema_dir: Path, clean_env: dict[str, str]
) -> None:
    message = "error: Type `Strin` is not defined\nat main.fsl:2:9"
    stub.reply(400, {"error": {"message": message}})
    result = fauna("schema", "push", "--dir", str(schema_dir), *stub_flags(stub), env=clean_env)
    assert (result.returncode, result.stderr, result.stdout) == (5, message + "\n", "")
    assert stub.paths == ["POST /schema/1/diff?format=semantic"]


def test_a_stale_version_exits_5(
    stub: StubFauna, schema_dir: Path, clean_env: dict[str, str]
) -> None:
    stub.reply(409, {"error": {"message": "Stale schema version provided"}})
    args = ("schema", "push", "--force", "--dir", str(schema_dir))
    result = fauna(*args, *stub_flags(stub), env=clean_env)
    assert result.returncode == 5
    assert result.stderr.startswith("Stale schema version provided\n")
    assert stub.paths == ["POST /schema/1/update?force=true"]


def test_a_denied_secret_exits_3(stub: StubFauna, clean_env: dict[str, str]) -> None:
    stub.reply(401, {"error": {"message": "Access token required"}})
    result = fauna("schema", "status", *stub_flags(stub), env=clean_env)
    assert (result.returncode, result.stderr) == (3, "Access token required\n")


@pytest.mark.parametrize("status", [404, 501])
def test_a_server_without_the_schema_api_exits_6(
    stub: StubFauna, tmp_path: Path, clean_env: dict[str, str], status: int
) -> None:
    stub.reply(status, {"error": {"message": "Not found"}})
    result = fauna("schema", "pull", "--dir", str(tmp_path), *stub_flags(stub), env=clean_env)
    assert result.returncode == 6
    assert "does not serve FaunaDB's schema API" in result.stderr


def test_push_without_fsl_files_exits_2(tmp_path: Path, clean_env: dict[str, str]) -> None:
    args = ("schema", "push", "--dir", str(tmp_path), "--endpoint", "http://127.0.0.1:9")
    result = fauna(*args, "--secret", "s", env=clean_env)
    assert result.returncode == 2
    assert "no .fsl files under" in result.stderr


def test_an_unreachable_endpoint_exits_4(schema_dir: Path, clean_env: dict[str, str]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    args = ("schema", "diff", "--dir", str(schema_dir), "--endpoint", endpoint)
    result = fauna(*args, "--secret", "s", env=clean_env)
    assert result.returncode == 4


def _faunalite_lacks_the_schema_api() -> bool:
    with serve_in_background(secret="probe") as server:
        reply = httpx.get(
            f"{server.endpoint}/schema/1/files", headers={"Authorization": "Bearer probe"}
        )
    return reply.status_code == 501


@pytest.mark.skipif(
    _faunalite_lacks_the_schema_api(),
    reason="faunalite answers 501 for /schema/1/files: its schema API is not there yet",
)
def test_push_then_pull_round_trips_the_files(
    faunalite_server: BackgroundServer,
    fauna_database: FaunaTestDatabase,
    schema_dir: Path,
    tmp_path: Path,
    clean_env: dict[str, str],
) -> None:
    functions = "function double(x) {\n  x * 2\n}\n"
    (schema_dir / "fns").mkdir()
    (schema_dir / "fns" / "math.fsl").write_text(functions)
    connect = [
        "--endpoint",
        faunalite_server.endpoint,
        "--secret",
        faunalite_server.secret,
        "--database",
        fauna_database.name,
    ]
    pushed = fauna("schema", "push", "--dir", str(schema_dir), *connect, env=clean_env)
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed 2 files; schema version " in pushed.stdout

    count = fauna("query", "Dog.all().count()", *connect, env=clean_env)
    assert (count.returncode, count.stdout) == (0, "0\n"), count.stderr

    pulled_dir = tmp_path / "pulled"
    pulled = fauna("schema", "pull", "--dir", str(pulled_dir), *connect, env=clean_env)
    assert pulled.returncode == 0, pulled.stderr
    assert (pulled_dir / "main.fsl").read_text() == MAIN
    assert (pulled_dir / "fns" / "math.fsl").read_text() == functions

    diff = fauna("schema", "diff", "--dir", str(pulled_dir), *connect, env=clean_env)
    assert (diff.returncode, diff.stdout) == (0, "No schema differences.\n"), diff.stderr


@pytest.mark.skipif(
    _faunalite_lacks_the_schema_api(),
    reason="faunalite answers 501 for /schema/1/files: its schema API is not there yet",
)
def test_a_staged_push_is_committed_or_abandoned(
    faunalite_server: BackgroundServer,
    fauna_database: FaunaTestDatabase,
    schema_dir: Path,
    tmp_path: Path,
    clean_env: dict[str, str],
) -> None:
    connect = [
        "--endpoint",
        faunalite_server.endpoint,
        "--secret",
        faunalite_server.secret,
        "--database",
        fauna_database.name,
    ]

    def run(*args: str) -> str:
        done = fauna(*args, *connect, env=clean_env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    staged = run("schema", "push", "--staged", "--dir", str(schema_dir))
    assert "staged 1 files; schema version " in staged
    # Not applied yet: `Dog` is unknown to queries.
    missing = fauna("query", "Dog.all().count()", *connect, env=clean_env)
    assert missing.returncode != 0
    status = run("schema", "status")
    assert status.startswith("Staged changes: ready\n")
    assert "* Adding collection `Dog` to main.fsl:1:1" in status
    assert "committed the staged schema; schema version " in run("schema", "commit")
    assert run("query", "Dog.all().count()") == "0\n"
    assert run("schema", "status") == "Staged changes: none\n"

    (schema_dir / "main.fsl").write_text(MAIN + "\ncollection Cat {}\n")
    run("schema", "push", "--staged", "--dir", str(schema_dir))
    assert "abandoned the staged schema" in run("schema", "abandon")
    assert run("schema", "status") == "Staged changes: none\n"
    assert run("query", "Collection.all().count()") == "1\n"
