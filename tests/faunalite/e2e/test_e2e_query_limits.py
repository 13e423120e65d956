"""Queries that build values no process could hold, against ``faunalite serve``.

Deep values: nested deeper than any stack.
The server runs as a subprocess, as a user runs it, so a crash shows as the process dying
(before the fix, SIGSEGV) rather than as the test run dying. Depth comes from evaluation
(``fold`` wrapping its accumulator), not from the query text, so parse-time nesting limits
never see it. Every walk over such a value (display, order, wire encoding in both formats,
the storage codec) answers FaunaDB's ``stack_overflow`` once the value is deeper than the
engine's stack, and the server keeps serving everyone.

Big values: each within FaunaDB's value limits, together more than the machine's memory. The
query that finds the process above its memory ceiling ends with ``value_too_large``, and the
memory comes back.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# The issue's query: a 30 000-deep array, shown with toString (60 002 brackets).
ISSUE_QUERY = (
    "Array.sequence(0, 15000).fold(Array.sequence(0, 15000).fold([], (a, x) => [a]),"
    " (a, x) => [a]).toString().length"
)
STACK_OVERFLOW = {
    "code": "stack_overflow",
    "message": "number of stack frames exceeded limit of 2048",
}


def nested(levels: int, wrap: str) -> str:
    """FQL for a value ``levels`` x 15 000 deep, ``wrap`` turning ``a`` into one more level."""
    query = "[]"
    for _ in range(levels):
        query = f"Array.sequence(0, 15000).fold({query}, (a, x) => {wrap})"
    return query


TOO_DEEP_ARRAY = nested(5, "[a]")
TOO_DEEP_OBJECT = nested(5, "{ a: a }")


def event_type(line: str) -> str:
    found = re.search(r'"type":"(\w+)"', line)
    assert found is not None, line[:200]
    return found.group(1)


class ServerProcess:
    """``python -m faunalite serve --memory`` on a free loopback port."""

    def __init__(self, log: Path, **environment: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log = log
        # stderr goes to a file: a pipe nobody reads would block the server once full.
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "faunalite", "serve", "--port", str(port), "--memory"],
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            env={**os.environ, **environment},
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline()
        assert banner.startswith("faunalite listening on"), banner

    def query(self, fql: str, **headers: str) -> httpx.Response:
        return httpx.post(
            f"{self.endpoint}/query/1",
            json={"query": fql},
            headers={"Authorization": "Bearer secret", **headers},
            timeout=120,
        )

    def assert_serving(self) -> None:
        assert self.process.poll() is None, f"server died: rc={self.process.returncode}"
        assert httpx.get(f"{self.endpoint}/ping", timeout=10).status_code == 200
        assert self.query("1 + 1").json()["data"] == 2

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self._log_file.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path_factory.mktemp("deep") / "server.log")
    try:
        yield running
    finally:
        running.stop()


def test_the_issues_query_answers_and_the_server_keeps_serving(server: ServerProcess) -> None:
    response = server.query(ISSUE_QUERY)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == 60002
    server.assert_serving()


@pytest.mark.parametrize(
    ("walk", "query", "headers"),
    [
        ("display", f"({TOO_DEEP_ARRAY}).toString()", {}),
        ("order", f"let v = {TOO_DEEP_ARRAY}; [v, v].order().length", {}),
        ("simple encoding", TOO_DEEP_ARRAY, {}),
        ("tagged encoding", TOO_DEEP_OBJECT, {"X-Format": "tagged"}),
        (
            "storage codec",
            f"Deep.create({{ v: {TOO_DEEP_ARRAY} }}).id",
            {},
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_a_value_deeper_than_the_stack_is_a_stack_overflow(
    server: ServerProcess, walk: str, query: str, headers: dict[str, str]
) -> None:
    server.query('Collection.byName("Deep") ?? Collection.create({ name: "Deep" }); null')
    response = server.query(query, **headers)
    assert response.status_code == 400, (walk, response.text[:300])
    body = response.json()
    assert body["error"] == STACK_OVERFLOW
    assert body["summary"].startswith("error: number of stack frames exceeded limit of 2048")
    server.assert_serving()


def test_a_failed_deep_write_commits_nothing(server: ServerProcess) -> None:
    server.query('Collection.create({ name: "Kept" }); null')
    setup = server.query("Kept.create({ n: 1 }); null")
    assert setup.status_code == 200, setup.text
    # The write happens, then encoding the result overflows: the whole query is refused.
    response = server.query(f"Kept.create({{ n: 2 }}); {TOO_DEEP_ARRAY}")
    assert response.json()["error"] == STACK_OVERFLOW
    assert server.query("Kept.all().map(.n).toArray()").json()["data"] == [1]


def test_a_deep_document_reaches_its_stream(server: ServerProcess) -> None:
    # 30 000 levels: storable, and every event the stream sends must still be encoded.
    created = server.query('Collection.create({ name: "Watched" }); null')
    assert created.status_code == 200, created.text
    created = server.query(
        "Watched.all().eventSource()",
        **{"X-Format": "tagged"},
    )
    token = created.json()["data"]["@stream"]
    # Raw lines: parsing a 30 000-deep event here would need this process's stack sized too.
    lines: list[str] = []
    opened = threading.Event()

    def consume() -> None:
        with httpx.stream(
            "POST",
            f"{server.endpoint}/stream/1",
            json={"token": token},
            headers={"Authorization": "Bearer secret"},
            timeout=60,
        ) as stream:
            for line in stream.iter_lines():
                lines.append(line)
                opened.set()
                if event_type(line) != "status":
                    return

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    assert opened.wait(30)
    deep = (
        "Array.sequence(0, 15000).fold(Array.sequence(0, 15000).fold([], (a, x) => [a]),"
        " (a, x) => [a])"
    )
    write = server.query(f"Watched.create({{ v: {deep} }}); null")
    assert write.status_code == 200, write.text
    consumer.join(60)
    types = [event_type(line) for line in lines]
    assert types[0] == "status"
    assert [kind for kind in types if kind != "status"] == ["add"]
    field = re.search(r'"v":(\[*)\]', lines[-1])
    assert field is not None
    assert len(field.group(1)) == 30001  # the outermost array holds the 30 000-deep one
    server.assert_serving()


def test_no_unexpected_failure_was_logged(server: ServerProcess) -> None:
    server.assert_serving()
    assert "unexpected error" not in server.log.read_text()


MEMORY_CEILING_MB = 400
# 16 000 strings of 8 MiB each, within FaunaDB's 16 MiB string limit: 128 GiB in all.
MEMORY_BOMB = (
    'let s = Array.sequence(0, 23).fold("x", (a, i) => a + a);'
    " Array.sequence(0, 16000).map(x => s + x.toString()).length"
)


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("memory") / "server.log"
    running = ServerProcess(log, FAUNALITE_MAX_MEMORY_MB=str(MEMORY_CEILING_MB))
    try:
        yield running
    finally:
        running.stop()


def test_a_query_past_the_memory_ceiling_is_value_too_large(small_server: ServerProcess) -> None:
    # The deadline is the client's to choose: it does not bound the memory.
    response = small_server.query(MEMORY_BOMB, **{"X-Query-Timeout-Ms": "120000"})
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == {
        "code": "value_too_large",
        "message": "Value too large: the query's values exceed faunalite's memory limit"
        f" of {MEMORY_CEILING_MB} MiB.",
    }
    # The memory is returned: ordinary queries run again, and so does a big one within bounds.
    small_server.assert_serving()
    fits = small_server.query(
        'let s = Array.sequence(0, 20).fold("x", (a, i) => a + a);'
        " Array.sequence(0, 16).map(x => s + x.toString()).length"
    )
    assert fits.json()["data"] == 16
