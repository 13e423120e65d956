"""``faunalite serve`` as a user runs it: a subprocess that announces its endpoint and serves."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from faunalite.cli import _parser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_announces_endpoint_and_answers_queries() -> None:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "faunalite", "serve", "--port", str(port), "--secret", "s3cret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().strip()
        assert banner == (
            f"faunalite listening on http://127.0.0.1:{port} (secret: s3cret, data: memory)"
        )
        response = httpx.get(f"http://127.0.0.1:{port}/ping", timeout=10)
        assert response.json() == {"resource": "Scope write is OK"}
        assert time.monotonic() - started < 5
        unauthorized = httpx.post(
            f"http://127.0.0.1:{port}/query/1",
            json={"query": "1"},
            headers={"Authorization": "Bearer secret"},
        )
        assert unauthorized.status_code == 401
    finally:
        process.terminate()
        process.wait(10)


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "faunalite", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_defaults_and_exclusive_storage_options() -> None:
    arguments = _parser().parse_args(["serve"])
    assert (arguments.host, arguments.port, arguments.secret, arguments.data) == (
        "127.0.0.1",
        8443,
        "secret",
        None,
    )
    result = subprocess.run(
        [sys.executable, "-m", "faunalite", "serve", "--data", "x", "--memory"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_serve_seeds_from_an_export(tmp_path: Path) -> None:
    from fauna.cli.connection import WireSession
    from fauna.cli.transfer import export_database
    from faunalite.testing import serve_in_background

    with serve_in_background() as source, WireSession(source.endpoint, source.secret) as session:
        session.query("Collection.create({ name: 'Dog' })")
        session.query("Dog.create({ id: '5', name: 'Rex' })")
        export_database(session, tmp_path / "dump")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "faunalite",
            "serve",
            "--port",
            str(port),
            "--seed",
            str(tmp_path / "dump"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert (
            process.stdout.readline() == f"faunalite: seeded 1 documents from {tmp_path / 'dump'}\n"
        )
        assert process.stdout.readline().startswith("faunalite listening on ")
        with WireSession(f"http://127.0.0.1:{port}", "secret") as seeded:
            assert seeded.query("Dog.byId('5')!.name", format="simple") == "Rex"
    finally:
        process.terminate()
        process.wait(10)


def test_serve_with_a_bad_seed_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "faunalite",
            "serve",
            "--port",
            str(free_port()),
            "--seed",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"faunalite: cannot seed: cannot read {tmp_path / 'manifest.json'}"
    )


SERVE = [sys.executable, "-m", "faunalite", "serve"]
DOG_SCHEMA = """\
collection Dog {
  name: String
  index byName {
    terms [.name]
  }
}
"""


def test_serve_loads_a_schema_directory(tmp_path: Path) -> None:
    from fauna.cli.connection import WireSession

    (tmp_path / "schema" / "pets").mkdir(parents=True)
    (tmp_path / "schema" / "pets" / "dog.fsl").write_text(DOG_SCHEMA)
    port = free_port()
    process = subprocess.Popen(
        [*SERVE, "--port", str(port), "--schema", str(tmp_path / "schema")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == (
            f"faunalite: loaded 1 schema files from {tmp_path / 'schema'}\n"
        )
        assert process.stdout.readline().startswith("faunalite listening on ")
        with WireSession(f"http://127.0.0.1:{port}", "secret") as served:
            served.query("Dog.create({ name: 'Rex' })")
            assert served.query("Dog.byName('Rex').count()", format="simple") == 1
            files = httpx.get(
                f"http://127.0.0.1:{port}/schema/1/files",
                headers={"Authorization": "Bearer secret"},
            ).json()
            assert files["files"] == [{"filename": "pets/dog.fsl"}]
    finally:
        process.terminate()
        process.wait(10)


def test_serve_with_a_schema_faunadb_refuses_exits_1(tmp_path: Path) -> None:
    (tmp_path / "main.fsl").write_text("collection Dog {\n  colour String\n}\n")
    result = subprocess.run(
        [*SERVE, "--port", str(free_port()), "--schema", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"faunalite: the schema in {tmp_path} is refused:\n")
    assert "main.fsl:2:3" in result.stderr


def test_serve_in_background_with_a_schema(tmp_path: Path) -> None:
    from fauna import fql
    from fauna.client import Client
    from faunalite.testing import serve_in_background

    (tmp_path / "main.fsl").write_text(DOG_SCHEMA)
    with (
        serve_in_background(schema=tmp_path) as server,
        Client(endpoint=server.endpoint, secret=server.secret) as client,
    ):
        indexes = client.query(fql('Collection.byName("Dog")!.indexes')).data
        assert list(indexes) == ["byName"]
