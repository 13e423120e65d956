"""Send fuzz requests to a ``faunalite serve`` child process and count what happens.

``run_campaign(requests=..., seed=...)`` starts the server in a subprocess (a crash must end a
process we can watch: a SIGSEGV shows as a negative return code), builds its schema, then
sends ``RequestGenerator`` requests from ``concurrency`` threads, one TCP connection each, as
raw HTTP/1.1 bytes (so framing and header bytes can be wrong on purpose). Every exchange ends
in one ``Outcome``:

* a response (its status is counted; a 5xx is a failure),
* ``reset``/``closed``/``protocol_error``: the connection was reset, closed without a reply, or
  the reply was not HTTP (a failure when the request's own framing was right),
* ``timeout``: no reply within ``request_timeout``; then a ``/ping`` on a new connection tells
  a ``hang`` (the server is stuck: it is killed and restarted) from a merely ``slow`` query,
* ``crash``: the server process is gone (it is restarted and the campaign goes on).

Each failure (and each slow request) is written as a JSON line to ``out_path``; the
``CampaignSummary`` prints as a table. This module is not the generator (``fuzz.generator``).
"""

from __future__ import annotations

import base64
import collections
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fuzz.corpus import SETUP_QUERIES, STREAM_SOURCE_QUERIES
from fuzz.generator import SECRET, FuzzRequest, RequestGenerator

SOURCE_DIRECTORY = Path(__file__).resolve().parents[2] / "src"
REQUEST_TIMEOUT_SECONDS = 30.0
PING_TIMEOUT_SECONDS = 5.0
PING_ATTEMPTS = 3
"""A timed-out request is a hang only if this many ``/ping`` in a row fail too (an overloaded
server is slow, a hung one does not answer at all)."""
STARTUP_TIMEOUT_SECONDS = 20.0
EARLY_REPLY_BODY_BYTES = 1024 * 1024
"""Bodies this large are sent only if the server has not already answered the headers
(it refuses an oversized ``Content-Length`` before reading, then closes)."""
MAX_HEAD_BYTES = 64 * 1024
STDERR_TAIL_LINES = 3000
"""Enough for the thread dump faulthandler writes when a hung server is aborted."""
FAILURE_KINDS = ("5xx", "reset", "crash", "hang")


@dataclass(slots=True)
class Outcome:
    """How one exchange ended: ``kind`` is ``response``, ``reset``, ``closed``,
    ``protocol_error`` or ``timeout``; ``detail`` is the error or the reply's start."""

    kind: str
    status: int | None = None
    seconds: float = 0.0
    detail: str = ""
    body: bytes = b""


def _wire_request(request: FuzzRequest, host: str) -> tuple[bytes, bytes, bool]:
    """The head and body bytes to send, and whether to half-close after them."""
    body = request.body
    lines = [
        f"{request.method} ".encode()
        + request.path.encode("utf-8", "surrogatepass")
        + b" HTTP/1.1",
        b"Host: " + host.encode(),
    ]
    lines.extend(
        name.encode("utf-8", "surrogatepass") + b": " + value for name, value in request.headers
    )
    lines.append(b"Connection: close")
    half_close = False
    framing = request.framing
    if framing == "exact":
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == "longer":
        lines.append(b"Content-Length: %d" % (len(body) + 10))
        half_close = True
    elif framing == "shorter":
        lines.append(b"Content-Length: %d" % max(len(body) // 2, 0))
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        half = len(body) // 2
        body = (
            b"".join(
                b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:]) if part
            )
            + b"0\r\n\r\n"
        )
    elif framing == "bad_chunked":
        lines.append(b"Transfer-Encoding: chunked")
        body = b"zz\r\n" + body + b"\r\n"
        half_close = True
    elif framing == "duplicate_length":
        lines.append(b"Content-Length: %d" % len(body))
        lines.append(b"Content-Length: %d" % (len(body) + 1))
    # "no_length": no framing header at all, so the body reads as a next request.
    return b"\r\n".join(lines) + b"\r\n\r\n", body, half_close


def _read_until(
    connection: socket.socket, buffer: bytearray, marker: bytes, deadline: float
) -> bool:
    """Receive until ``marker`` is in ``buffer``; False at end of stream."""
    while marker not in buffer:
        if len(buffer) > MAX_HEAD_BYTES and marker == b"\r\n\r\n":
            raise _ProtocolError("reply head too long")
        connection.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = connection.recv(65536)
        if not chunk:
            return False
        buffer.extend(chunk)
    return True


def _read_exactly(connection: socket.socket, buffer: bytearray, size: int, deadline: float) -> bool:
    while len(buffer) < size:
        connection.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = connection.recv(max(size - len(buffer), 65536))
        if not chunk:
            return False
        buffer.extend(chunk)
    return True


class _ProtocolError(Exception):
    """The reply is not well-formed HTTP/1.1."""


def _read_chunked(
    connection: socket.socket, buffer: bytearray, deadline: float, first_only: bool
) -> bytes:
    """A chunked body; with ``first_only`` (a stream), just its first data chunk."""
    data = bytearray()
    while True:
        if not _read_until(connection, buffer, b"\r\n", deadline):
            raise _ProtocolError("chunked body ended early")
        size_line, _, rest = bytes(buffer).partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            raise _ProtocolError(f"bad chunk size {size_line[:40]!r}")
        buffer[:] = rest
        if not _read_exactly(connection, buffer, size + 2, deadline):
            raise _ProtocolError("chunk ended early")
        data.extend(buffer[:size])
        del buffer[: size + 2]
        if size == 0 or first_only:
            return bytes(data)


def _read_reply(connection: socket.socket, request: FuzzRequest, deadline: float) -> Outcome:
    buffer = bytearray()
    if not _read_until(connection, buffer, b"\r\n\r\n", deadline):
        if buffer:
            raise _ProtocolError(f"reply head cut short: {bytes(buffer[:80])!r}")
        return Outcome("closed", detail="connection closed without a reply")
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise _ProtocolError(f"bad status line {status_line[:80]!r}")
    status = int(parts[1])
    headers: dict[bytes, bytes] = {}
    for line in header_lines:
        name, colon, value = line.partition(b":")
        if not colon:
            raise _ProtocolError(f"bad header line {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    body_buffer = bytearray(rest)
    if request.method == "HEAD" or status in (204, 304) or status < 200:
        body = b""
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = _read_chunked(connection, body_buffer, deadline, request.path == "/stream/1")
    elif b"content-length" in headers:
        length = int(headers[b"content-length"])
        if not _read_exactly(connection, body_buffer, length, deadline):
            raise _ProtocolError("body shorter than its content-length")
        body = bytes(body_buffer[:length])
    else:
        while _read_exactly(connection, body_buffer, len(body_buffer) + 1, deadline):
            pass
        body = bytes(body_buffer)
    if body and headers.get(b"content-type", b"").startswith(b"application/json"):
        try:
            json.loads(
                body if request.path != "/stream/1" or status != 200 else body.split(b"\r\n")[0]
            )
        except RecursionError:
            pass  # nested deeper than this reader goes: JSON all the same
        except ValueError:
            raise _ProtocolError(f"reply is not JSON: {body[:80]!r}")
    return Outcome("response", status, detail=body[:600].decode("utf-8", "replace"), body=body)


def exchange(
    address: tuple[str, int], request: FuzzRequest, timeout: float = REQUEST_TIMEOUT_SECONDS
) -> Outcome:
    """Send ``request`` on a new connection and read the reply (a stream: its first event)."""
    started = time.monotonic()
    deadline = started + timeout
    head, body, half_close = _wire_request(request, f"{address[0]}:{address[1]}")
    try:
        with socket.create_connection(address, timeout=timeout) as connection:
            connection.sendall(head)
            answered_early = False
            if len(body) > EARLY_REPLY_BODY_BYTES:
                answered_early = bool(select.select([connection], [], [], 0.2)[0])
            if not answered_early:
                try:
                    connection.sendall(body)
                    if half_close:
                        connection.shutdown(socket.SHUT_WR)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server may have answered already and closed: read the reply
            outcome = _read_reply(connection, request, deadline)
    except TimeoutError:
        outcome = Outcome("timeout", detail=f"no reply within {timeout}s")
    except ConnectionResetError as error:
        outcome = Outcome("reset", detail=str(error))
    except ConnectionRefusedError as error:
        outcome = Outcome("closed", detail=f"refused: {error}")
    except _ProtocolError as error:
        outcome = Outcome("protocol_error", detail=str(error))
    except OSError as error:
        outcome = Outcome("reset", detail=f"{type(error).__name__}: {error}")
    outcome.seconds = time.monotonic() - started
    return outcome


def query_request(text: str) -> FuzzRequest:
    """A plain, well-formed ``/query/1`` request (setup and checks)."""
    body = json.dumps({"query": text}).encode()
    headers = [
        ("Authorization", f"Bearer {SECRET}".encode()),
        ("Content-Type", b"application/json"),
    ]
    return FuzzRequest("setup", "POST", "/query/1", headers, body)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """``python -m faunalite serve --memory`` on a free port, with the tail of its stderr."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self.logged_errors = 0
        self.lines_seen = 0

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self) -> None:
        self.port = _free_port()
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(SOURCE_DIRECTORY), environment.get("PYTHONPATH")])
        )
        # faulthandler prints every thread's stack on a fatal signal: a crash, or the SIGABRT
        # a hung server gets before it is killed.
        command = [
            sys.executable, "-X", "faulthandler", "-m", "faunalite", "serve",
            "--port", str(self.port), "--memory",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.starts += 1
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            ping = exchange(self.address, FuzzRequest("setup", "GET", "/ping"), timeout=2)
            if ping.status == 200:
                return
            time.sleep(0.05)
        raise RuntimeError(f"faunalite did not start: {list(self.stderr_tail)[-5:]}")

    def _drain(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            if line.startswith("unexpected error"):
                self.logged_errors += 1
            self.stderr_tail.append(line)
            self.lines_seen += 1

    def abort_with_thread_dump(self) -> list[str]:
        """SIGABRT the (hung) server and return the stacks faulthandler printed."""
        if self.process is None or self.process.poll() is not None:
            return []
        before = self.lines_seen
        self.process.send_signal(signal.SIGABRT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.5)  # let the drain thread read the last lines
        printed = self.lines_seen - before
        return list(self.stderr_tail)[-printed:] if printed else []

    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


@dataclass
class CampaignSummary:
    """Figures of one run; ``failures`` is the number of 5xx, resets, crashes and hangs."""

    seed: int
    concurrency: int
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    failing_families: Counter[str] = field(default_factory=Counter)
    family_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    server_starts: int = 0

    @property
    def failures(self) -> int:
        return sum(self.outcomes[kind] for kind in FAILURE_KINDS)

    def table(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        rows = [
            f"fuzz campaign: seed {self.seed}, {self.requests} requests in {self.seconds:.1f} s "
            f"({rate:.0f}/s, concurrency {self.concurrency}, server started {self.server_starts}x)",
            "",
            f"{'outcome':<28}{'count':>10}",
        ]
        for kind in (*FAILURE_KINDS, "slow", "framing_closed"):
            rows.append(f"{kind:<28}{self.outcomes[kind]:>10}")
        rows += ["", f"{'status':<28}{'count':>10}"]
        rows += [f"{status:<28}{count:>10}" for status, count in sorted(self.statuses.items())]
        rows += ["", f"{'family':<28}{'requests':>10}{'failures':>10}{'mean ms':>10}"]
        rows += [
            f"{family:<28}{count:>10}{self.failing_families[family]:>10}"
            f"{1000 * self.family_seconds[family] / count:>10.0f}"
            for family, count in sorted(self.families.items())
        ]
        return "\n".join(rows)


class Campaign:
    """One fuzzing run against one (restartable) server; see ``run_campaign``."""

    def __init__(
        self,
        *,
        requests: int,
        seed: int,
        concurrency: int = 1,
        out_path: str | Path | None = None,
        time_budget: float | None = None,
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
        progress_every: int = 0,
    ) -> None:
        self.total = requests
        self.progress_every = progress_every
        self.seed = seed
        self.concurrency = max(1, concurrency)
        self.time_budget = time_budget
        self.request_timeout = request_timeout
        self.out_path = Path(out_path) if out_path is not None else None
        self.server = ServerProcess()
        self.tokens: list[str] = []
        self.cursors: list[str] = []
        self.summary = CampaignSummary(seed, self.concurrency)
        self._generator: RequestGenerator | None = None
        self._lock = threading.Lock()
        self._server_lock = threading.Lock()
        self._generation = 0
        self._issued = 0
        self._started = 0.0
        self._in_flight: dict[int, FuzzRequest] = {}
        self._out: IO[str] | None = None
        self._stopping = False
        """Set when the run is cut short: exchanges then failing are the shutdown's doing."""

    # -- server lifecycle --------------------------------------------------------------------

    def _start_server(self) -> None:
        self.server.start()
        self._generation += 1
        self.summary.server_starts = self.server.starts
        for text in SETUP_QUERIES:
            exchange(self.server.address, query_request(text))
        tokens = []
        for text in STREAM_SOURCE_QUERIES:
            reply = exchange(self.server.address, query_request(text))
            if reply.status == 200:
                tokens.append(json.loads(reply.body)["data"])
        cursors = []
        for token in tokens[:2]:
            feed = FuzzRequest(
                "setup",
                "POST",
                "/feed/1",
                query_request("").headers,
                json.dumps({"token": token, "start_ts": 1}).encode(),
            )
            reply = exchange(self.server.address, feed)
            if reply.status == 200:
                cursors.append(json.loads(reply.body)["cursor"])
        # In place: the generator shares these lists, and a new server signs new tokens.
        self.tokens[:] = tokens or ["no-token"]
        self.cursors[:] = cursors or ["no-cursor"]

    def _recover(
        self, generation: int, index: int, request: FuzzRequest, outcome: Outcome
    ) -> str | None:
        """After a non-reply: ``crash`` or ``hang`` if the server is gone or stuck (it is then
        restarted), else ``None``. Only the first thread to notice restarts it."""
        with self._server_lock:
            if generation != self._generation or self._stopping:
                return None
            returncode = self.server.returncode()
            verdict = None
            if returncode is not None:
                verdict = "crash"
                outcome.detail += f"; server exited with {returncode}"
            elif outcome.kind == "timeout":
                for _ in range(PING_ATTEMPTS):
                    ping = exchange(
                        self.server.address,
                        FuzzRequest("check", "GET", "/ping"),
                        PING_TIMEOUT_SECONDS,
                    )
                    if ping.status == 200:
                        break
                else:
                    verdict = "hang"
                    outcome.detail += f"; {PING_ATTEMPTS} x /ping: {ping.kind} {ping.detail}"
            if verdict is None:
                return None
            tail = list(self.server.stderr_tail)[-40:]
            if verdict == "hang":
                tail = self.server.abort_with_thread_dump()
            with self._lock:
                in_flight = [i for i in self._in_flight if i != index]
            self._write(
                index, request, outcome, verdict, stderr_tail=tail, also_in_flight=in_flight
            )
            self.server.stop(kill=True)
            self._start_server()
            return verdict

    # -- running -----------------------------------------------------------------------------

    def run(self) -> CampaignSummary:
        if self.out_path is not None:
            self.out_path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.out_path.open("w", encoding="utf-8")
        try:
            self._start_server()
            self._generator = RequestGenerator(self.seed, self.tokens, self.cursors)
            self._started = time.monotonic()
            workers = [
                threading.Thread(target=self._work, daemon=True) for _ in range(self.concurrency)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            self.summary.seconds = time.monotonic() - self._started
            # A crash right at the end must not go unseen.
            if self.server.returncode() is not None:
                self.summary.outcomes["crash"] += 1
                self._write(
                    -1,
                    FuzzRequest("check", "GET", "/ping"),
                    Outcome("closed"),
                    "crash",
                    stderr_tail=list(self.server.stderr_tail)[-20:],
                )
        finally:
            self._stopping = True
            self.server.stop()
            if self._out is not None:
                self._out.close()
        return self.summary

    def _next(self) -> tuple[int, FuzzRequest] | None:
        with self._lock:
            over_time = (
                self.time_budget is not None and time.monotonic() - self._started > self.time_budget
            )
            if self._issued >= self.total or over_time:
                return None
            assert self._generator is not None
            index = self._issued
            self._issued += 1
            request = self._generator.next()
            self._in_flight[index] = request
            return index, request

    def _work(self) -> None:
        while (item := self._next()) is not None:
            index, request = item
            generation = self._generation
            outcome = exchange(self.server.address, request, self.request_timeout)
            verdict = self._judge(request, outcome)
            if outcome.kind != "response":
                verdict = self._recover(generation, index, request, outcome) or verdict
            if self._stopping:
                return
            with self._lock:
                del self._in_flight[index]
                summary = self.summary
                summary.requests += 1
                summary.families[request.family] += 1
                summary.family_seconds[request.family] += outcome.seconds
                if outcome.status is not None:
                    summary.statuses[str(outcome.status)] += 1
                else:
                    summary.statuses[outcome.kind] += 1
                if verdict is not None:
                    summary.outcomes[verdict] += 1
                    if verdict in FAILURE_KINDS:
                        summary.failing_families[request.family] += 1
                if self.progress_every and summary.requests % self.progress_every == 0:
                    self._report_progress()
            if verdict in ("5xx", "reset", "slow"):
                self._write(index, request, outcome, verdict)

    def _report_progress(self) -> None:
        summary = self.summary
        elapsed = time.monotonic() - self._started
        print(
            f"[{summary.requests}/{self.total}] {elapsed:.0f} s, failures {summary.failures}, "
            f"server starts {self.server.starts}",
            file=sys.stderr,
            flush=True,
        )

    @staticmethod
    def _judge(request: FuzzRequest, outcome: Outcome) -> str | None:
        """The outcome's verdict, before looking at the server process."""
        if outcome.kind == "response":
            return (
                "5xx"
                if outcome.status is not None
                and outcome.status >= 500
                and not (outcome.status == 503 and '"time_out"' in outcome.detail)
                else None
            )
        if outcome.kind == "timeout":
            return "slow"
        # A request whose own framing is wrong may fairly be dropped.
        return "framing_closed" if request.framing != "exact" else "reset"

    def _write(
        self, index: int, request: FuzzRequest, outcome: Outcome, verdict: str, **extra: Any
    ) -> None:
        if self._out is None or self._out.closed:
            return
        record = {
            "index": index,
            "seed": self.seed,
            "verdict": verdict,
            "outcome": outcome.kind,
            "status": outcome.status,
            "seconds": round(outcome.seconds, 3),
            "detail": outcome.detail,
            "request": request.to_record(),
            **extra,
        }
        with self._lock:
            self._out.write(json.dumps(record) + "\n")
            self._out.flush()


def run_campaign(
    *,
    requests: int,
    seed: int,
    concurrency: int = 1,
    out_path: str | Path | None = None,
    time_budget: float | None = None,
    request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    progress_every: int = 0,
) -> CampaignSummary:
    """Run ``requests`` fuzz requests (fewer if ``time_budget`` seconds pass first); with
    ``progress_every``, a line on stderr after each that many requests."""
    campaign = Campaign(
        requests=requests,
        seed=seed,
        concurrency=concurrency,
        out_path=out_path,
        time_budget=time_budget,
        request_timeout=request_timeout,
        progress_every=progress_every,
    )
    return campaign.run()


def request_from_record(record: dict[str, Any]) -> FuzzRequest | None:
    """The request a findings line describes (``None`` if its body was too large to keep)."""
    described = record["request"]
    if described["body_base64"] is None:
        return None
    headers = [(name, value.encode("latin-1")) for name, value in described["headers"]]
    return FuzzRequest(
        described["family"],
        described["method"],
        described["path"],
        headers,
        base64.b64decode(described["body_base64"]),
        described["framing"],
    )


def replay_findings(path: str | Path, request_timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
    """Send each request of a findings file, one at a time, to a new server (with the fuzz
    schema) and print how each ends now: to check a fix, or to find the culprit of a stall."""
    campaign = Campaign(requests=0, seed=0, request_timeout=request_timeout)
    campaign._start_server()
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            request = request_from_record(record)
            if request is None:
                print(f"{record['index']}: body not kept, skipped")
                continue
            outcome = exchange(campaign.server.address, request, request_timeout)
            print(
                f"{record['index']}: was {record['verdict']}, now {outcome.kind} "
                f"{outcome.status} in {outcome.seconds:.2f} s: {outcome.detail[:120]}"
            )
    finally:
        campaign.server.stop()
