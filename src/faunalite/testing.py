"""Run a faunalite server inside the current process, for tests and local tooling.

    with faunalite.serve_in_background(secret="secret") as server:
        client = Client(endpoint=server.endpoint, secret=server.secret)

The server listens on a free loopback port, in a daemon thread running its own event loop;
``start()`` returns once it accepts connections and ``stop()`` shuts it down and joins the
thread. Startup and shutdown take milliseconds, so a fixture per test is affordable, and
``reset()`` empties a running server without even that.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from faunalite.engine import Engine

if TYPE_CHECKING:
    from faunalite.server.app import FaunaliteApp
    from faunalite.server.runner import ServerRunner

_STARTUP_TIMEOUT_SECONDS = 10.0


class BackgroundServer:
    """A faunalite server on ``host``:``port`` (0 = any free port) in a background thread."""

    def __init__(
        self,
        *,
        secret: str = "secret",
        host: str = "127.0.0.1",
        port: int = 0,
        data_path: str | None = None,
        schema: str | os.PathLike[str] | None = None,
    ) -> None:
        self.secret = secret
        self.schema = schema
        """A directory of ``.fsl`` files pushed into the root database on ``start()``."""
        self.host = host
        self.engine = Engine(data_path=data_path)
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._runner: ServerRunner | None = None
        self.app: FaunaliteApp | None = None
        """The running ASGI app (``close_streams()`` ends every event stream, for tests)."""

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the server is not running")
        return int(self._socket.getsockname()[1])

    @property
    def endpoint(self) -> str:
        """The base URL to give a Fauna client, e.g. ``http://127.0.0.1:53817``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        """Start serving; returns once the server accepts connections."""
        from faunalite.server import create_app
        from faunalite.server.runner import ServerRunner, listen

        if self._thread is not None:
            raise RuntimeError("the server is already running")
        if self.schema is not None:
            self.load_schema(self.schema)
        listener = listen(self.host, self._requested_port, backlog=128)
        app = create_app(self.engine, root_secret=self.secret)
        runner = ServerRunner(app, listener)
        thread = threading.Thread(target=runner.run, name="faunalite", daemon=True)
        self._socket, self._thread, self._runner = listener, thread, runner
        self.app = app
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while not runner.started.wait(0.01):
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("faunalite did not start")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        runner, thread = self._runner, self._thread
        if runner is not None:
            runner.stop()
        if thread is not None:
            thread.join(_STARTUP_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()
        self.engine.close()
        self._socket = self._thread = self._runner = None

    def reset(self) -> None:
        """Delete every database, collection, document, function, role and key: the server
        is then as empty as a new one, on the same port and secret."""
        from faunalite.admin import reset

        reset(self.engine)

    def load_schema(self, directory: str | os.PathLike[str]) -> int:
        """Push the ``.fsl`` files under ``directory`` into the root database, applied at
        once; returns how many. Raises ``faunalite.admin.SchemaLoadFailed`` with FaunaDB's
        message when the schema is refused."""
        from faunalite.admin import load_schema

        return load_schema(self.engine, Path(directory))

    def seed(self, directory: str) -> int:
        """Load a ``fauna export`` directory into the root database; the documents loaded."""
        from faunalite.admin import seed

        return seed(self.engine, directory)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_background(
    *,
    secret: str = "secret",
    host: str = "127.0.0.1",
    port: int = 0,
    data_path: str | None = None,
    schema: str | os.PathLike[str] | None = None,
) -> BackgroundServer:
    """A not-yet-started ``BackgroundServer``: use it in ``with`` or call ``start()``. With
    ``schema``, the ``.fsl`` files of that directory are pushed into it as it starts."""
    return BackgroundServer(secret=secret, host=host, port=port, data_path=data_path, schema=schema)
