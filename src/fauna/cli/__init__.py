"""``fauna``: a command-line tool for FaunaDB and faunalite.

    fauna query "Dog.all().count()"       run FQL (or --file PATH, or from stdin)
    fauna shell                           an interactive prompt
    fauna database create|list|delete     manage child databases
    fauna export DIR / fauna import DIR   move a database's data out and back in
    fauna schema push|pull|diff|status    manage FSL schema files (also validate, commit, abandon)
    fauna serve                           run faunalite, the local FaunaDB

Connection flags (``--endpoint``, ``--secret``, ``--profile``, ``--database``, ``--role``) go
after the command; ``fauna.cli.settings`` says how they combine with ``FAUNA_ENDPOINT``,
``FAUNA_SECRET`` and profiles. Exit codes: 0 success, 1 FaunaDB rejected a query, 2 usage
error, 3 unauthorized or permission denied, 4 endpoint unreachable, 5 FaunaDB rejected a
schema change (invalid FSL, stale schema version), 6 the endpoint has no schema API,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fauna.cli.connection import (
    EXIT_USAGE,
    CliError,
    QueryFailed,
    UsageError,
    WireSession,
)
from fauna.cli.output import OUTPUT_FORMATS, WIRE_FORMAT, OutputFormat, render
from fauna.cli.schema import SchemaRejected
from fauna.cli.schema_commands import add_schema_parser
from fauna.cli.settings import resolve

EXIT_INTERRUPTED = 130
_CLIENT_GRACE_SECONDS = 10.0


def _connection_flags() -> argparse.ArgumentParser:
    flags = argparse.ArgumentParser(add_help=False)
    group = flags.add_argument_group("connection")
    group.add_argument("--endpoint", help="FaunaDB URL (default: $FAUNA_ENDPOINT or profile)")
    group.add_argument("--secret", help="key secret (default: $FAUNA_SECRET or profile)")
    group.add_argument("--profile", help="a section of the profile file (see README)")
    group.add_argument("--database", metavar="PATH", help="act in this child database (a/b)")
    group.add_argument("--role", help="scope the secret to this role (admin, server, ...)")
    return flags


def _query_flags() -> argparse.ArgumentParser:
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "--format", choices=OUTPUT_FORMATS, help="json (simple), tagged, or pretty (decorated)"
    )
    typecheck = flags.add_mutually_exclusive_group()
    typecheck.add_argument(
        "--typecheck", dest="typecheck", action="store_true", default=None, help="typecheck"
    )
    typecheck.add_argument("--no-typecheck", dest="typecheck", action="store_false")
    flags.add_argument("--timeout", type=float, metavar="SECONDS", help="query timeout")
    return flags


def _parser() -> argparse.ArgumentParser:
    from fauna import __version__

    parser = argparse.ArgumentParser(
        prog="fauna", description="Run FQL and manage data on FaunaDB or faunalite."
    )
    parser.add_argument("--version", action="version", version=f"fauna {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connection, query_flags = _connection_flags(), _query_flags()
    query = commands.add_parser(
        "query", parents=[connection, query_flags], help="run one query and print its result"
    )
    query.add_argument("fql", nargs="?", help="the query; '-' or nothing reads stdin")
    query.add_argument("-f", "--file", help="read the query from this file")
    shell = commands.add_parser(
        "shell", parents=[connection, query_flags], help="an interactive FQL prompt"
    )
    shell.add_argument("--history", help="history file (default: ~/.fauna_shell_history)")
    database = commands.add_parser("database", help="create, list or delete child databases")
    actions = database.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", parents=[connection], help="create a child database")
    create.add_argument("name")
    create.add_argument("--priority", type=int)
    create.add_argument("--typechecked", action="store_true", default=None)
    create.add_argument("--protected", action="store_true", default=None)
    actions.add_parser("list", parents=[connection], help="print child database names")
    delete = actions.add_parser("delete", parents=[connection], help="delete a child database")
    delete.add_argument("name")
    export = commands.add_parser(
        "export", parents=[connection], help="write a database's data to a directory"
    )
    export.add_argument("directory")
    export.add_argument("--recursive", action="store_true", help="child databases too")
    load = commands.add_parser(
        "import", parents=[connection], help="load a directory written by 'fauna export'"
    )
    load.add_argument("directory")
    add_schema_parser(commands, connection)
    commands.add_parser("serve", help="run faunalite, a local FaunaDB (see 'fauna serve --help')")
    return parser


def _session(arguments: argparse.Namespace) -> WireSession:
    settings = resolve(
        endpoint=arguments.endpoint,
        secret=arguments.secret,
        profile=arguments.profile,
        database=arguments.database,
        role=arguments.role,
    )
    timeout = getattr(arguments, "timeout", None)
    client_timeout = (timeout or 120.0) + _CLIENT_GRACE_SECONDS
    return WireSession(settings.endpoint, settings.secret, timeout_seconds=client_timeout)


def _timeout_ms(arguments: argparse.Namespace) -> int | None:
    if arguments.timeout is None:
        return None
    if arguments.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    return int(arguments.timeout * 1000)


def _query_text(arguments: argparse.Namespace) -> str:
    if arguments.file is not None:
        if arguments.fql is not None:
            raise UsageError("give the query as an argument or with --file, not both")
        try:
            with open(arguments.file, encoding="utf-8") as source:
                return source.read()
        except OSError as error:
            raise UsageError(f"cannot read {arguments.file}: {error.strerror}")
    if arguments.fql not in (None, "-"):
        return str(arguments.fql)
    if arguments.fql is None and sys.stdin.isatty():
        raise UsageError("no query: pass it as an argument, with --file, or on stdin")
    return sys.stdin.read()


def _run_query(arguments: argparse.Namespace) -> int:
    text = _query_text(arguments)
    if not text.strip():
        raise UsageError("the query is empty")
    output: OutputFormat = arguments.format or "json"
    with _session(arguments) as session:
        data = session.query(
            text,
            format=WIRE_FORMAT[output],
            typecheck=arguments.typecheck,
            query_timeout_ms=_timeout_ms(arguments),
        )
    print(render(data, output))
    return 0


def _run_shell(arguments: argparse.Namespace) -> int:
    from pathlib import Path

    from fauna.cli.shell import Shell, run_shell

    with _session(arguments) as session:
        shell = Shell(
            session,
            output=arguments.format or "pretty",
            typecheck=arguments.typecheck,
            timeout_ms=_timeout_ms(arguments),
        )
        history = Path(arguments.history) if arguments.history else None
        return run_shell(shell, history=history)


def _run_database(arguments: argparse.Namespace) -> int:
    with _session(arguments) as session:
        if arguments.action == "list":
            names = session.query("Database.all().map(.name).toArray()", format="simple")
            for name in names:
                print(name)
        elif arguments.action == "create":
            fields: dict[str, object] = {"name": arguments.name}
            if arguments.priority is not None:
                fields["priority"] = {"@int": str(arguments.priority)}
            for flag in ("typechecked", "protected"):
                if getattr(arguments, flag):
                    fields[flag] = True
            session.query("Database.create(fields)", {"fields": {"@object": fields}})
            print(f"created database {arguments.name}")
        else:
            deleted = session.query(
                "let db = Database.byName(name)\nif (db == null) false else { db!.delete(); true }",
                {"name": arguments.name},
            )
            if not deleted:
                raise QueryFailed(404, "not_found", f"no database named {arguments.name}")
            print(f"deleted database {arguments.name}")
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _run_transfer(arguments: argparse.Namespace) -> int:
    from fauna.cli.transfer import export_database, import_database

    with _session(arguments) as session:
        if arguments.command == "export":
            counts = export_database(
                session, arguments.directory, recursive=arguments.recursive, progress=_progress
            )
            verb = "exported"
        else:
            counts = import_database(session, arguments.directory, progress=_progress)
            verb = "imported"
    print(f"{verb} {sum(counts.values())} documents in {len(counts)} collections")
    return 0


def _run_schema(arguments: argparse.Namespace) -> int:
    from fauna.cli.schema import SchemaApi
    from fauna.cli.schema_commands import run_schema

    with _session(arguments) as session:
        return run_schema(SchemaApi(session.endpoint, session.secret, session.http), arguments)


def _run_serve(argv: Sequence[str]) -> int:
    try:
        from faunalite.cli import main as faunalite_main
    except ImportError:
        raise UsageError("'fauna serve' needs faunalite: pip install 'fauna[local]'")
    return faunalite_main(["serve", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fauna`` console script; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["serve"]:
            return _run_serve(args[1:])
        arguments = _parser().parse_args(args)
        if arguments.command == "query":
            return _run_query(arguments)
        if arguments.command == "shell":
            return _run_shell(arguments)
        if arguments.command == "database":
            return _run_database(arguments)
        if arguments.command == "schema":
            return _run_schema(arguments)
        return _run_transfer(arguments)
    except QueryFailed as failure:
        print(failure.render(), file=sys.stderr)
        return failure.exit_code
    except SchemaRejected as rejection:
        print(rejection.message, file=sys.stderr)
        return rejection.exit_code
    except CliError as error:
        print(f"fauna: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
