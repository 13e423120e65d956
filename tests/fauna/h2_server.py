"""A scripted cleartext HTTP/2 server on a loopback socket, for the GOAWAY and reset tests.

Each request that arrives whole is handed to the next ``Action`` of the
script (the last one repeats): answer it, refuse it with ``RST_STREAM``,
reset it after "running" it, or send ``GOAWAY`` and hang up. The server
records which requests it took as run (``ran``) and on which connection, so
a test can tell a request that was re-sent from one that was not.

Only what the tests need: prior-knowledge h2c, one thread per connection,
small bodies, no flow-control subtleties beyond acknowledging data.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.exceptions

QUERY_OK = json.dumps(
    {
        "data": {"@int": "1"},
        "summary": "",
        "txn_ts": 1,
        "stats": {"compute_ops": 1},
        "schema_version": 0,
    }
).encode()


@dataclass
class Exchange:
    """One request as the server saw it."""

    connection: int
    stream_id: int
    path: str
    body: bytes


@dataclass
class _Peer:
    sock: socket.socket
    h2: h2.connection.H2Connection
    number: int
    closed: bool = False
    highest_run: int = 0
    """The highest stream id run on this connection: a GOAWAY may not claim less."""
    held: list[Exchange] = field(default_factory=list)
    """Requests run but not answered yet (``hold``)."""

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def hang_up(self) -> None:
        """Close as servers do after GOAWAY: stop sending, drain what the client sent."""
        self.flush()
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@dataclass(frozen=True)
class Action:
    """How to handle one request; ``runs``: whether the server counts it as run."""

    runs: bool
    act: Callable[[_Peer, Exchange], None]


def _answer(peer: _Peer, exchange: Exchange) -> None:
    peer.h2.send_headers(
        exchange.stream_id,
        [(":status", "200"), ("content-type", "application/json;charset=utf-8")],
    )
    peer.h2.send_data(exchange.stream_id, QUERY_OK, end_stream=True)
    peer.flush()


def answer() -> Action:
    return Action(True, _answer)


def answer_then_goaway() -> Action:
    """Answer, then say GOAWAY (nothing after this stream) and hang up: an idle close."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        _answer(peer, exchange)
        peer.h2.close_connection(last_stream_id=peer.highest_run)
        peer.hang_up()

    return Action(True, act)


def answer_then_close(goaway: bool) -> Action:
    """Answer, then (with or without a GOAWAY) close the socket at once, as on an idle timeout.

    The client's next request then meets a closed socket: its write fails or
    draws a reset, unless the client noticed the close first.
    """

    def act(peer: _Peer, exchange: Exchange) -> None:
        _answer(peer, exchange)
        if goaway:
            peer.h2.close_connection(last_stream_id=peer.highest_run)
            peer.flush()
        peer.closed = True
        peer.sock.close()

    return Action(True, act)


def _send_goaway(peer: _Peer, last_stream_id: int, error_code: int = 0) -> None:
    """A GOAWAY frame written by hand, since h2 refuses to send anything after its own."""
    payload = last_stream_id.to_bytes(4, "big") + error_code.to_bytes(4, "big")
    head = len(payload).to_bytes(3, "big") + bytes([0x7, 0]) + (0).to_bytes(4, "big")
    peer.sock.sendall(head + payload)


def goaway_then_answer(error_code: int = 0) -> Action:
    """A GOAWAY that covers the request, then (a moment later) its answer, then hang up.

    With ``error_code`` 0 (NO_ERROR) it is graceful: RFC 9113 lets the server
    finish such a stream, and the client must take the answer. With an error
    code the connection is over at once: the answer that follows is too late.
    """

    def act(peer: _Peer, exchange: Exchange) -> None:
        _send_goaway(peer, exchange.stream_id, error_code)
        time.sleep(0.1)
        _answer(peer, exchange)
        peer.hang_up()

    return Action(True, act)


def hold() -> Action:
    """Run the request but answer it later, when a ``goaway_then_answer_held`` request comes."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        peer.held.append(exchange)

    return Action(True, act)


def goaway_then_answer_held() -> Action:
    """A graceful GOAWAY whose last stream is the highest one held: this request (a later
    stream) is refused, unprocessed; then the held requests are answered and the server
    hangs up, as a server going away gracefully does."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        _send_goaway(peer, max(held.stream_id for held in peer.held))
        time.sleep(0.1)
        for held in peer.held:
            _answer(peer, held)
        peer.hang_up()

    return Action(False, act)


def refuse() -> Action:
    """``RST_STREAM`` with ``REFUSED_STREAM``: the request was not run."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        peer.h2.reset_stream(exchange.stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
        peer.flush()

    return Action(False, act)


def reset_after_running() -> Action:
    """Run the request, then reset its stream with ``INTERNAL_ERROR``: its fate is unknown."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        peer.h2.reset_stream(exchange.stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        peer.flush()

    return Action(True, act)


def goaway_unprocessed() -> Action:
    """GOAWAY with last stream id 0 (nothing was processed), then hang up."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        peer.h2.close_connection(last_stream_id=0)
        peer.hang_up()

    return Action(False, act)


def goaway_after_running() -> Action:
    """GOAWAY covering the request's stream, then hang up without an answer."""

    def act(peer: _Peer, exchange: Exchange) -> None:
        peer.h2.close_connection(last_stream_id=peer.highest_run)
        peer.hang_up()

    return Action(True, act)


@dataclass
class H2Server:
    """Serves ``script`` on ``127.0.0.1:port``; use as a context manager."""

    script: list[Action]
    exchanges: list[Exchange] = field(default_factory=list)
    ran: list[Exchange] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._stopping = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> H2Server:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping = True
        self._listener.close()
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(5)

    def _next_action(self) -> Action:
        with self._lock:
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _accept(self) -> None:
        # A closed listener does not wake a blocked accept(): poll, so that stopping is quick.
        self._listener.settimeout(0.05)
        while not self._stopping:
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            with self._lock:
                self.connections += 1
                number = self.connections
            self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, number), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket, number: int) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        peer = _Peer(sock, h2.connection.H2Connection(config=config), number)
        peer.h2.initiate_connection()
        peer.flush()
        paths: dict[int, str] = {}
        bodies: dict[int, bytes] = {}
        sock.settimeout(10)
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                if peer.closed:
                    continue
                for event in peer.h2.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers: dict[Any, Any] = dict(event.headers or [])
                        paths[event.stream_id] = str(headers.get(":path", ""))
                        bodies[event.stream_id] = b""
                    elif isinstance(event, h2.events.DataReceived):
                        bodies[event.stream_id] += event.data or b""
                        peer.h2.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded):
                        self._handle(peer, event.stream_id, paths, bodies)
                        if peer.closed:
                            break
                if not peer.closed:
                    peer.flush()
        except h2.exceptions.ProtocolError:
            # httpcore may send a new stream's headers after those of a higher stream id
            # (from another thread); the connection is dropped, unanswered, as before.
            return
        except OSError:
            return
        finally:
            sock.close()

    def _handle(
        self, peer: _Peer, stream_id: int, paths: dict[int, str], bodies: dict[int, bytes]
    ) -> None:
        exchange = Exchange(peer.number, stream_id, paths.pop(stream_id), bodies.pop(stream_id))
        self.exchanges.append(exchange)
        action = self._next_action()
        if action.runs:
            self.ran.append(exchange)
            peer.highest_run = max(peer.highest_run, stream_id)
        action.act(peer, exchange)
