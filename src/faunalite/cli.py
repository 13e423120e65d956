"""The ``faunalite`` command: ``faunalite serve`` runs a local FaunaDB (HTTP/1.1 and h2c).

    faunalite serve [--host 127.0.0.1] [--port 8443] [--secret secret] [--data PATH | --memory]
                    [--seed DIR] [--schema DIR]

Imports stay lazy so that ``--help`` is instant and the server is ready well under a second.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faunalite.engine import Engine

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
DEFAULT_SECRET = "secret"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faunalite", description="faunalite: a local FaunaDB (FQL v10 over HTTP)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the server",
        description="Serve FaunaDB's HTTP API (/query/1, /ping) until interrupted.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind ({DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on ({DEFAULT_PORT})"
    )
    serve.add_argument(
        "--secret",
        default=DEFAULT_SECRET,
        help=f"the root key; clients send it as 'Bearer <secret>' ({DEFAULT_SECRET})",
    )
    storage = serve.add_mutually_exclusive_group()
    storage.add_argument(
        "--data",
        metavar="PATH",
        help="data directory, created if missing (SQLite, durable across restarts)",
    )
    storage.add_argument(
        "--memory", action="store_true", help="keep everything in memory (the default)"
    )
    serve.add_argument(
        "--seed",
        metavar="DIR",
        help="load a 'fauna export' directory into the root database before serving",
    )
    serve.add_argument(
        "--schema",
        metavar="DIR",
        help="push the .fsl files under DIR into the root database before serving",
    )
    return parser


def _seed(engine: Engine, directory: str) -> bool:
    from fauna.cli.connection import CliError, QueryFailed
    from faunalite.admin import seed

    try:
        loaded = seed(engine, directory)
    except QueryFailed as failure:
        print(f"faunalite: cannot seed from {directory}:\n{failure.render()}", file=sys.stderr)
        return False
    except CliError as error:
        print(f"faunalite: cannot seed: {error.message}", file=sys.stderr)
        return False
    print(f"faunalite: seeded {loaded} documents from {directory}", flush=True)
    return True


def _load_schema(engine: Engine, directory: str) -> bool:
    from fauna.cli.connection import CliError
    from faunalite.admin import SchemaLoadFailed, load_schema

    try:
        loaded = load_schema(engine, directory)
    except SchemaLoadFailed as failure:
        print(f"faunalite: the schema in {directory} is refused:\n{failure}", file=sys.stderr)
        return False
    except CliError as error:
        print(f"faunalite: cannot load the schema: {error.message}", file=sys.stderr)
        return False
    print(f"faunalite: loaded {loaded} schema files from {directory}", flush=True)
    return True


def serve(
    host: str,
    port: int,
    secret: str,
    data_path: str | None,
    seed_dir: str | None = None,
    schema_dir: str | None = None,
) -> int:
    """Run the server in the foreground until interrupted; returns the exit status."""
    from faunalite.engine import Engine
    from faunalite.server import create_app
    from faunalite.server.runner import ServerRunner, listen

    try:
        # Bound before announcing, so the address is usable as soon as it is printed.
        listener = listen(host, port)
    except OSError as error:
        print(f"faunalite: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    engine = Engine(data_path=data_path)
    # Schema first: seeded documents may need its collections.
    if (schema_dir is not None and not _load_schema(engine, schema_dir)) or (
        seed_dir is not None and not _seed(engine, seed_dir)
    ):
        engine.close()
        listener.close()
        return 1
    app = create_app(engine, root_secret=secret)
    bound_port = listener.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    print(
        f"faunalite listening on http://{shown_host}:{bound_port} "
        f"(secret: {secret}, data: {data_path or 'memory'})",
        flush=True,
    )
    try:
        ServerRunner(app, listener, handle_signals=True).run()
    finally:
        engine.close()
        listener.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``faunalite`` console script."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":
        return serve(
            arguments.host,
            arguments.port,
            arguments.secret,
            arguments.data,
            arguments.seed,
            arguments.schema,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
