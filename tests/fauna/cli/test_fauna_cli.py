"""The ``fauna`` command as a user runs it: ``python -m fauna`` in a subprocess against a real
faunalite, each test in its own child database (the ``fauna_database`` plugin fixture)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from faunalite.pytest_plugin import FaunaTestDatabase
from faunalite.testing import BackgroundServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any FAUNA_* setting, and an empty profile file location."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FAUNA_")}
    env["FAUNA_CONFIG"] = str(tmp_path / "config.ini")
    env["FAUNA_SHELL_HISTORY"] = str(tmp_path / "history")
    return env


def fauna(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fauna", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def connect(fauna_database: FaunaTestDatabase, faunalite_server: BackgroundServer) -> list[str]:
    """Flags that point the command at this test's database."""
    return [
        "--endpoint",
        faunalite_server.endpoint,
        "--secret",
        faunalite_server.secret,
        "--database",
        fauna_database.name,
    ]


def test_query_prints_simple_json(connect: list[str], clean_env: dict[str, str]) -> None:
    result = fauna("query", "{ n: 1 + 1, d: Date('2020-01-02') }", *connect, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"n": 2, "d": "2020-01-02"}


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("tagged", '{\n  "@int": "2"\n}\n'),
        ("pretty", "2\n"),
        ("json", "2\n"),
    ],
)
def test_query_formats(
    connect: list[str], clean_env: dict[str, str], output: str, expected: str
) -> None:
    result = fauna("query", "1 + 1", "--format", output, *connect, env=clean_env)
    assert (result.returncode, result.stdout) == (0, expected)


def test_pretty_is_fql_like(connect: list[str], clean_env: dict[str, str]) -> None:
    result = fauna(
        "query", "{ d: Date('2020-01-02') }", "--format", "pretty", *connect, env=clean_env
    )
    assert result.stdout == '{ d: Date("2020-01-02") }\n'


def test_query_from_file_and_stdin(
    connect: list[str], clean_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "q.fql"
    source.write_text("let x = 20\nx + 1\n")
    assert fauna("query", "--file", str(source), *connect, env=clean_env).stdout == "21\n"
    assert fauna("query", *connect, env=clean_env, stdin="[1,\n 2]").stdout == "[\n  1,\n  2\n]\n"
    assert fauna("query", "-", *connect, env=clean_env, stdin="'hi'").stdout == '"hi"\n'


def test_typecheck_and_timeout_flags_are_sent(
    connect: list[str], clean_env: dict[str, str]
) -> None:
    result = fauna("query", "1", "--typecheck", "--timeout", "5", *connect, env=clean_env)
    assert (result.returncode, result.stdout) == (0, "1\n")
    bad = fauna("query", "1", "--timeout", "0", *connect, env=clean_env)
    assert (bad.returncode, bad.stderr) == (
        2,
        "fauna: --timeout must be a positive number of seconds\n",
    )


def test_failed_query_exits_1_with_summary(connect: list[str], clean_env: dict[str, str]) -> None:
    result = fauna("query", "abort({ why: 'no' })", *connect, env=clean_env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: abort: Query aborted.",
        'abort value: {"why": "no"}',
        "error: Query aborted.",
        "at *query*:1:6",
        "  |",
        "1 | abort({ why: 'no' })",
        "  |      ^^^^^^^^^^^^^^^",
        "  |",
    ]


def test_bad_secret_exits_3(faunalite_server: BackgroundServer, clean_env: dict[str, str]) -> None:
    result = fauna(
        "query", "1", "--endpoint", faunalite_server.endpoint, "--secret", "wrong", env=clean_env
    )
    assert (result.returncode, result.stderr) == (3, "error: unauthorized: Access token required\n")


def test_permission_denied_exits_3(connect: list[str], clean_env: dict[str, str]) -> None:
    result = fauna("database", "create", "x", "--role", "server", *connect, env=clean_env)
    assert result.returncode == 3
    assert result.stderr.startswith(
        "error: permission_denied: Insufficient privileges to perform the action.\n"
    )


def test_unreachable_endpoint_exits_4(clean_env: dict[str, str]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = fauna("query", "1", "--endpoint", endpoint, "--secret", "s", env=clean_env)
    assert result.returncode == 4
    assert result.stderr.startswith(f"fauna: cannot reach {endpoint}: ")


def test_usage_errors_exit_2(clean_env: dict[str, str]) -> None:
    no_secret = fauna("query", "1", env=clean_env)
    assert no_secret.returncode == 2
    assert no_secret.stderr.startswith("fauna: no secret: pass --secret, set FAUNA_SECRET")
    assert (
        fauna(
            "query",
            env=clean_env,
            stdin="",
        ).returncode
        == 2
    )
    assert fauna("frobnicate", env=clean_env).returncode == 2
    missing = fauna("query", "--file", "/nonexistent.fql", "--secret", "s", env=clean_env)
    assert (missing.returncode, missing.stderr) == (
        2,
        "fauna: cannot read /nonexistent.fql: No such file or directory\n",
    )


def test_env_vars_and_profiles(
    fauna_database: FaunaTestDatabase,
    faunalite_server: BackgroundServer,
    clean_env: dict[str, str],
) -> None:
    env = dict(
        clean_env, FAUNA_ENDPOINT=faunalite_server.endpoint, FAUNA_SECRET=fauna_database.secret
    )
    fauna_database.client().query(__import__("fauna").fql("Collection.create({ name: 'Here' })"))
    here = "Collection.all().map(.name).toArray()"
    assert json.loads(fauna("query", here, env=env).stdout) == ["Here"]
    Path(clean_env["FAUNA_CONFIG"]).write_text(
        f"[default]\nendpoint = http://127.0.0.1:9\nsecret = nope\n\n"
        f"[test]\nendpoint = {faunalite_server.endpoint}\nsecret = {fauna_database.secret}\n"
    )
    assert json.loads(fauna("query", here, "--profile", "test", env=clean_env).stdout) == ["Here"]
    by_env = dict(clean_env, FAUNA_PROFILE="test")
    assert json.loads(fauna("query", here, env=by_env).stdout) == ["Here"]
    # The [default] profile applies when nothing else is given: its endpoint is closed.
    assert fauna("query", here, env=clean_env).returncode == 4
    unknown = fauna("query", here, "--profile", "nope", env=clean_env)
    assert unknown.returncode == 2
    assert unknown.stderr == f"fauna: no profile [nope] in {clean_env['FAUNA_CONFIG']}\n"


def test_database_commands(connect: list[str], clean_env: dict[str, str]) -> None:
    assert fauna("database", "list", *connect, env=clean_env).stdout == ""
    created = fauna("database", "create", "app", "--priority", "3", *connect, env=clean_env)
    assert (created.returncode, created.stdout) == (0, "created database app\n")
    fauna("database", "create", "other", *connect, env=clean_env)
    assert fauna("database", "list", *connect, env=clean_env).stdout == "app\nother\n"
    again = fauna("database", "create", "app", *connect, env=clean_env)
    assert again.returncode == 1
    assert again.stderr.startswith("error: constraint_failure: ")
    deleted = fauna("database", "delete", "app", *connect, env=clean_env)
    assert (deleted.returncode, deleted.stdout) == (0, "deleted database app\n")
    assert fauna("database", "list", *connect, env=clean_env).stdout == "other\n"
    gone = fauna("database", "delete", "app", *connect, env=clean_env)
    assert (gone.returncode, gone.stderr) == (1, "error: not_found: no database named app\n")


def test_database_path_reaches_grandchildren(connect: list[str], clean_env: dict[str, str]) -> None:
    fauna("database", "create", "outer", *connect, env=clean_env)
    inner = [*connect[:-1], connect[-1] + "/outer"]
    fauna("database", "create", "inner", *inner, env=clean_env)
    assert fauna("database", "list", *inner, env=clean_env).stdout == "inner\n"


def test_shell_driven_through_stdin(connect: list[str], clean_env: dict[str, str]) -> None:
    script = "\n".join(
        [
            "1 + 1",
            "[1,",
            "  2]",
            ".format json",
            "{ d: Date('2020-01-02') }",
            "abort('stop')",
            ".help",
            "'still here'",
            ".exit",
            "'never run'",
        ]
    )
    result = fauna("shell", *connect, env=clean_env, stdin=script + "\n")
    assert result.returncode == 1  # piped input with a failed statement
    out = result.stdout
    assert out.startswith('2\n[1, 2]\n{\n  "d": "2020-01-02"\n}\n')
    assert "  .format json|tagged|pretty  how results are shown (now: json)" in out
    assert out.endswith('"still here"\n')
    assert "never run" not in out
    assert result.stderr.splitlines()[:3] == [
        "error: abort: Query aborted.",
        'abort value: "stop"',
        "error: Query aborted.",
    ]


def test_shell_without_errors_exits_0(connect: list[str], clean_env: dict[str, str]) -> None:
    result = fauna("shell", *connect, env=clean_env, stdin="/* a\ncomment */ 'x'\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, '"x"\n', "")


def test_export_import_round_trip(
    connect: list[str], clean_env: dict[str, str], tmp_path: Path
) -> None:
    def run(fql: str) -> None:
        result = fauna("query", fql, *connect, env=clean_env)
        assert result.returncode == 0, result.stderr

    run("Collection.create({ name: 'Dog', indexes: { byName: { terms: [{ field: '.name' }] } } })")
    run(
        "Dog.create({ id: '1', name: 'Rex', big: 5000000000, when: Time('2020-01-01T00:00:00.123456789Z') })"
    )
    run("Dog.create({ id: '2', name: 'Fido', friend: Dog.byId('1') })")
    export = fauna("export", str(tmp_path / "dump"), *connect, env=clean_env)
    assert export.returncode == 0, export.stderr
    assert export.stdout == "exported 2 documents in 1 collections\n"
    assert export.stderr == "exported Dog: 2 documents\n"
    target = [*connect[:-1], connect[-1] + "/copy"]
    fauna("database", "create", "copy", *connect, env=clean_env)
    imported = fauna("import", str(tmp_path / "dump"), *target, env=clean_env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == "imported 2 documents in 1 collections\n"
    read = "Dog.all().map(d => d { id, name, big, when, friend { id, name } }).toArray()"
    original = fauna("query", read, "--format", "tagged", *connect, env=clean_env).stdout
    copy = fauna("query", read, "--format", "tagged", *target, env=clean_env).stdout
    assert copy == original
    assert '"@long": "5000000000"' in copy
    assert fauna("query", "Dog.byName('Rex').count()", *target, env=clean_env).stdout == "1\n"
    again = fauna("import", str(tmp_path / "dump"), *target, env=clean_env)
    assert again.returncode == 1  # the ids are taken


def test_import_of_a_non_export_is_a_usage_error(
    connect: list[str], clean_env: dict[str, str], tmp_path: Path
) -> None:
    result = fauna("import", str(tmp_path), *connect, env=clean_env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"fauna: cannot read {tmp_path / 'manifest.json'}")


def test_serve_starts_faunalite(clean_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fauna", "serve", "--port", str(port), "--secret", "s3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert (
            banner == f"faunalite listening on http://127.0.0.1:{port} (secret: s3, data: memory)\n"
        )
        endpoint = f"http://127.0.0.1:{port}"
        result = fauna("query", "'up'", "--endpoint", endpoint, "--secret", "s3", env=clean_env)
        assert result.stdout == '"up"\n'
    finally:
        process.terminate()
        process.wait(10)
