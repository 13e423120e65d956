"""The one server bootstrap: a ``FaunaliteApp`` on a bound listener, served by Hypercorn.

Both ``faunalite serve`` and ``faunalite.testing.serve_in_background`` start the server here.
Hypercorn serves HTTP/1.1 and cleartext HTTP/2 on the same port, as FaunaDB does: a client
may open with the HTTP/2 preface (prior knowledge, as fauna-js and fauna-go do) or ask for
``Upgrade: h2c`` on an HTTP/1.1 request.

The listener is bound by the caller (so its address is usable as soon as it is announced)
and Hypercorn gets its own duplicate of the descriptor. ``ServerRunner.run`` blocks in the
calling thread until ``stop()`` (from any thread) or, when it handles signals, SIGINT/SIGTERM.
Shutdown first ends the app's event streams (``FaunaliteApp.close_streams``), as a FaunaDB
node does when it stops: a ``/stream/1`` response never finishes by itself, and each client
reconnects from its last cursor. faunalite's own ``/faunalite/`` routes
(``faunalite.server.admin``) are served in front of the app. This module is not the ASGI app
(``faunalite.server.app``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any, cast

from hypercorn.asyncio import serve
from hypercorn.config import Config

from faunalite.fql import use_query_thread_stacks
from faunalite.server.admin import AdminRoutes
from faunalite.server.app import FaunaliteApp

GRACEFUL_SHUTDOWN_SECONDS = 5.0
"""How long a shutdown waits for requests in flight (streams are ended first)."""


def listen(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A TCP listener bound to ``host``:``port`` (0 = any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections;
    # without it every reply waits ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(backlog)
    except OSError:
        listener.close()
        raise
    return listener


def _config(listener: socket.socket) -> Config:
    config = Config()
    # Hypercorn owns (and closes) this duplicate; the caller keeps and closes its listener.
    config.bind = [f"fd://{os.dup(listener.fileno())}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = GRACEFUL_SHUTDOWN_SECONDS
    return config


class ServerRunner:
    """Serves ``app`` on ``listener`` until stopped (see the module docstring)."""

    def __init__(
        self, app: FaunaliteApp, listener: socket.socket, *, handle_signals: bool = False
    ) -> None:
        self.app = app
        self.listener = listener
        self.handle_signals = handle_signals
        self.started = threading.Event()
        """Set once the server accepts connections."""
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._stop_requested = False

    def run(self) -> None:
        """Serve until stopped; returns when the server is down.

        The event loop runs in a thread of its own, started after the stacks of new threads
        are sized for the engine's recursion limit: the loop's thread encodes stream events
        and its worker threads run queries, and a value a query built can be deep enough to
        overflow the 8 MiB stack of a main thread, which ends the process with SIGSEGV."""
        use_query_thread_stacks()
        failures: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(self._serve())
            except BaseException as error:  # handed to the caller's thread below
                failures.append(error)

        loop_thread = threading.Thread(target=serve, name="faunalite-server")
        restore = self._install_signal_handlers() if self.handle_signals else None
        try:
            loop_thread.start()
            while loop_thread.is_alive():
                loop_thread.join(0.25)  # short waits, so signals reach their handlers
        finally:
            if restore is not None:
                restore()
        if failures:
            raise failures[0]

    def _install_signal_handlers(self) -> Callable[[], None]:
        """SIGINT and SIGTERM stop the server (from the main thread); returns the undo."""
        previous = {
            signum: signal.signal(signum, lambda _signum, _frame: self.stop())
            for signum in (signal.SIGINT, signal.SIGTERM)
        }

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        return restore

    def stop(self) -> None:
        """Ask the server to shut down; safe from any thread, before or while it runs."""
        with self._guard:
            self._stop_requested = True
            loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:
                pass  # the loop has already closed: the server is down

    async def _serve(self) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        with self._guard:
            self._loop, self._stopping = loop, stopping
            if self._stop_requested:
                return
        # faunalite's own /faunalite/ routes sit in front of the FaunaDB-compatible app.
        # The app types ASGI messages as plain mappings, not Hypercorn's TypedDicts.
        app = cast(Any, AdminRoutes(self.app))
        await serve(app, _config(self.listener), shutdown_trigger=self._until_stopped)

    async def _until_stopped(self) -> None:
        # Hypercorn awaits this once every listener is serving, and shuts down when it returns.
        assert self._stopping is not None
        self.started.set()
        await self._stopping.wait()
        self.app.close_streams()
