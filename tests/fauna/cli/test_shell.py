"""``fauna shell``'s statement reader and commands, driven with in-memory streams."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from fauna.cli.connection import WireSession
from fauna.cli.shell import Shell, prompt_toolkit_reader, query_is_complete, run_shell
from faunalite.pytest_plugin import FaunaTestDatabase


@pytest.mark.parametrize(
    "text",
    ["1", "[1, 2]", "{ a: [1] }", "'('", '"{"', "1 // (", "/* [ */ 2", "f(x) }", "'it\\'s'"],
)
def test_complete(text: str) -> None:
    assert query_is_complete(text)


@pytest.mark.parametrize(
    "text", ["[1,", "{ a: (", "'open", '"a\\"', "/* open", "f(\n  x", "[ // ]"]
)
def test_incomplete(text: str) -> None:
    assert not query_is_complete(text)


def shell_on(database: FaunaTestDatabase, script: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with WireSession(database.endpoint, database.secret) as session:
        shell = Shell(session, stdout=out, stderr=err)
        status = run_shell(shell, stdin=io.StringIO(script))
    return status, out.getvalue(), err.getvalue()


def test_commands_change_settings(fauna_database: FaunaTestDatabase) -> None:
    status, out, err = shell_on(
        fauna_database, ".format tagged\n1\n.typecheck off\n.timeout 2.5\n.help\n.format yaml\n"
    )
    assert status == 1  # the unknown format counts as a failure on piped input
    assert out.startswith('{\n  "@int": "1"\n}\n')
    assert "(now: tagged)" in out and "(now: off)" in out and "(now: 2.5s)" in out
    assert err == "error: unknown command or argument: .format yaml (try .help)\n"


def test_a_statement_spans_lines(fauna_database: FaunaTestDatabase) -> None:
    status, out, err = shell_on(fauna_database, "[1,\n  2].map(x =>\n  x * 2)\n")
    assert (status, out, err) == (0, "[2, 4]\n", "")


def test_terminal_reader_keeps_history(fauna_database: FaunaTestDatabase, tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    history = tmp_path / "history"
    out, err = io.StringIO(), io.StringIO()
    with (
        create_pipe_input() as keys,
        WireSession(fauna_database.endpoint, fauna_database.secret) as session,
    ):
        keys.send_text("[1,\r2]\r.exit\r")
        reader = prompt_toolkit_reader(history, input=keys, output=DummyOutput())
        assert reader is not None
        failures = Shell(session, stdout=out, stderr=err).run(reader)
    assert (failures, out.getvalue(), err.getvalue()) == (0, "[1, 2]\n", "")
    assert "+[1," in history.read_text() and "+.exit" in history.read_text()
