"""``fauna shell``: an interactive FQL prompt over one ``WireSession``.

A statement may span lines: input is read until every bracket is closed and no string or
``/* */`` comment is open (``query_is_complete``). Lines starting with ``.`` are shell commands
(``.help``). On a terminal, with the ``shell`` extra installed, prompt_toolkit gives line editing
and a history file; otherwise lines are read from stdin as they come, which is how scripts and
tests drive it. Errors print FaunaDB's code, message and summary and the shell carries on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from fauna.cli.connection import CliError, QueryFailed, WireSession
from fauna.cli.output import OUTPUT_FORMATS, WIRE_FORMAT, OutputFormat, render

HELP = """\
Type FQL and press Enter; a statement continues on the next line while a bracket, string or
comment is open. Commands:
  .help                     this text
  .format json|tagged|pretty  how results are shown (now: {format})
  .typecheck on|off|default   send X-Typecheck (now: {typecheck})
  .timeout SECONDS|default    query timeout (now: {timeout})
  .exit                     leave (or Ctrl-D)"""

_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def query_is_complete(text: str) -> bool:
    """Whether ``text`` could be a whole query: no open bracket, string or block comment."""
    depth = 0
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            end = i + 1
            while end < n and text[end] != char:
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                return False
            i = end
        elif text.startswith("//", i):
            newline = text.find("\n", i)
            if newline < 0:
                return depth <= 0
            i = newline
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                return False
            i = close + 1
        elif char in _CLOSERS:
            depth += 1
        elif char in ")]}":
            depth -= 1
        i += 1
    return depth <= 0


LineReader = Callable[[str], str]
"""Reads one line shown with a prompt; raises ``EOFError`` at the end of input."""


def _plain_reader(stdin: TextIO, stdout: TextIO, interactive: bool) -> LineReader:
    def read(prompt: str) -> str:
        if interactive:
            stdout.write(prompt)
            stdout.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read


def prompt_toolkit_reader(history: Path, **terminal: Any) -> LineReader | None:
    """A reader with line editing and a history file, ``None`` without prompt_toolkit.
    ``terminal`` goes to ``PromptSession`` (``input=``/``output=``, for tests)."""
    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
    except ImportError:
        return None
    history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(history=FileHistory(str(history)), **terminal)

    def read(prompt: str) -> str:
        return session.prompt(prompt)

    return read


def default_history_path() -> Path:
    explicit = os.environ.get("FAUNA_SHELL_HISTORY")
    return Path(explicit) if explicit else Path.home() / ".fauna_shell_history"


class Shell:
    """The loop: read a statement, run it or a ``.command``, print the outcome."""

    def __init__(
        self,
        session: WireSession,
        *,
        output: OutputFormat = "pretty",
        typecheck: bool | None = None,
        timeout_ms: int | None = None,
        stdout: TextIO = sys.stdout,
        stderr: TextIO = sys.stderr,
    ) -> None:
        self.session = session
        self.output: OutputFormat = output
        self.typecheck = typecheck
        self.timeout_ms = timeout_ms
        self.stdout, self.stderr = stdout, stderr
        self.failures = 0

    def statements(self, read: LineReader) -> Iterator[str]:
        """Each statement or command typed, until end of input."""
        while True:
            try:
                text = read("> ")
                while not text.lstrip().startswith(".") and not query_is_complete(text):
                    text += "\n" + read("... ")
            except KeyboardInterrupt:
                self.stdout.write("\n")
                continue
            except EOFError:
                return
            if text.strip():
                yield text.strip()

    def run(self, read: LineReader) -> int:
        """Run until ``.exit`` or end of input; the number of failed statements."""
        for statement in self.statements(read):
            if statement.startswith("."):
                if not self.command(statement):
                    break
            else:
                self.execute(statement)
        return self.failures

    def execute(self, fql: str) -> None:
        try:
            data = self.session.query(
                fql,
                format=WIRE_FORMAT[self.output],
                typecheck=self.typecheck,
                query_timeout_ms=self.timeout_ms,
            )
        except QueryFailed as failure:
            self.failures += 1
            print(failure.render(), file=self.stderr, flush=True)
            return
        except CliError as error:
            self.failures += 1
            print(f"error: {error.message}", file=self.stderr, flush=True)
            return
        print(render(data, self.output), file=self.stdout, flush=True)

    def command(self, line: str) -> bool:
        """Run a ``.command``; ``False`` means leave the shell."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in (".exit", ".quit"):
            return False
        if name == ".help":
            print(self._help(), file=self.stdout, flush=True)
        elif name == ".format" and argument in OUTPUT_FORMATS:
            self.output = argument  # type: ignore[assignment]
        elif name == ".typecheck" and argument in ("on", "off", "default"):
            self.typecheck = None if argument == "default" else argument == "on"
        elif name == ".timeout" and (argument == "default" or _is_seconds(argument)):
            self.timeout_ms = None if argument == "default" else int(float(argument) * 1000)
        else:
            self.failures += 1
            print(f"error: unknown command or argument: {line} (try .help)", file=self.stderr)
        return True

    def _help(self) -> str:
        typecheck = "default" if self.typecheck is None else ("on" if self.typecheck else "off")
        timeout = "default" if self.timeout_ms is None else f"{self.timeout_ms / 1000:g}s"
        return HELP.format(format=self.output, typecheck=typecheck, timeout=timeout)


def _is_seconds(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def run_shell(shell: Shell, *, stdin: TextIO = sys.stdin, history: Path | None = None) -> int:
    """Run ``shell`` on a terminal (prompt_toolkit when installed) or on piped input.
    Returns the exit status: 0, or 1 when piped input had a failed statement."""
    interactive = stdin.isatty() and shell.stdout.isatty()
    reader = prompt_toolkit_reader(history or default_history_path()) if interactive else None
    if interactive:
        print(f"Connected to {shell.session.endpoint}. Type .help for help.", file=shell.stdout)
    failures = shell.run(reader or _plain_reader(stdin, shell.stdout, interactive))
    return 1 if failures and not interactive else 0
