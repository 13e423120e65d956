"""``fauna schema push|pull|diff|validate|status|commit|abandon``: flags, prompts, printing.

The HTTP calls and the decisions that need no I/O are in ``fauna.cli.schema``. A prompt is
shown only when stdin is a terminal; without one, ``push`` goes ahead after printing the diff
(with the version check, so a concurrent change fails with 409) and ``pull`` refuses to
overwrite or delete local files unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from fauna.cli.connection import UsageError
from fauna.cli.schema import SchemaApi, check_file_count, gather_fsl, plan_pull

Confirm = Callable[[str], bool]


def add_schema_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    connection: argparse.ArgumentParser,
) -> None:
    """``fauna schema ...`` and its actions, with the shared ``connection`` flags."""
    schema = commands.add_parser("schema", help="push, pull and compare FSL schema files")
    actions = schema.add_subparsers(dest="action", required=True, metavar="ACTION")
    dir_flag = argparse.ArgumentParser(add_help=False)
    dir_flag.add_argument(
        "--dir", default=".", help="directory of .fsl files, searched recursively (default: .)"
    )

    push = actions.add_parser(
        "push", parents=[connection, dir_flag], help="replace the database's schema with DIR's"
    )
    push.add_argument(
        "--force", action="store_true", help="no diff, no prompt and no schema version check"
    )
    target = push.add_mutually_exclusive_group()
    target.add_argument(
        "--staged", action="store_true", help="stage the change (commit it with 'schema commit')"
    )
    target.add_argument("--active", action="store_true", help="apply at once (the default)")

    pull = actions.add_parser(
        "pull", parents=[connection, dir_flag], help="write the database's .fsl files into DIR"
    )
    pull.add_argument("--delete", action="store_true", help="delete local .fsl files it lacks")
    pull.add_argument("--force", action="store_true", help="overwrite local changes, no prompt")
    pull.add_argument("--staged", action="store_true", help="pull the staged schema")

    for name, help_text in (
        ("diff", "what pushing DIR would change"),
        ("validate", "check DIR's files without changing anything"),
    ):
        action = actions.add_parser(name, parents=[connection, dir_flag], help=help_text)
        kind = action.add_mutually_exclusive_group()
        kind.add_argument("--text", action="store_true", help="a line-by-line text diff")
        kind.add_argument("--semantic", action="store_true", help="a semantic diff (default)")
        action.add_argument("--staged", action="store_true", help="compare with the staged schema")

    actions.add_parser("status", parents=[connection], help="the staged schema's status")
    for name in ("commit", "abandon"):
        finish = actions.add_parser(name, parents=[connection], help=f"{name} the staged schema")
        finish.add_argument("--force", action="store_true", help="no schema version check")


def terminal_confirm(message: str) -> bool:
    """Ask ``message`` on the terminal; only ``y`` or ``yes`` agrees."""
    try:
        answer = input(f"{message} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _files_under(directory: str) -> dict[str, str]:
    files = gather_fsl(directory)
    if not files:
        raise UsageError(f"no .fsl files under {directory}")
    check_file_count(files)
    return files


def run_schema(
    api: SchemaApi,
    arguments: argparse.Namespace,
    *,
    confirm: Confirm = terminal_confirm,
    interactive: Callable[[], bool] = _interactive,
) -> int:
    """Carry out ``fauna schema <action>`` and return the exit status."""
    action = arguments.action
    if action == "push":
        return _push(api, arguments, confirm if interactive() else None)
    if action == "pull":
        return _pull(api, arguments, confirm if interactive() else None)
    if action in ("diff", "validate"):
        reply = api.diff(
            _files_under(arguments.dir),
            format="textual" if arguments.text else "semantic",
            staged=arguments.staged,
            validate_only=action == "validate",
        )
        if action == "validate":
            print(f"the files under {arguments.dir} are valid schema")
        print(reply.get("diff") or "No schema differences.")
        return 0
    if action == "status":
        return _status(api)
    return _finish(api, action, force=arguments.force)


def _push(api: SchemaApi, arguments: argparse.Namespace, confirm: Confirm | None) -> int:
    files = _files_under(arguments.dir)
    staged = bool(arguments.staged)
    if arguments.force:
        reply = api.update(files, force=True, staged=staged)
    else:
        proposed = api.diff(files, staged=staged)
        diff = proposed.get("diff")
        print(f"Proposed diff:\n{diff}" if diff else "No logical changes.")
        verb = "Stage" if staged else "Push"
        question = f"{verb} these changes?" if diff else f"{verb} the file contents anyway?"
        if confirm is not None and not confirm(question):
            print("Push cancelled.")
            return 0
        reply = api.update(files, version=proposed.get("version"), staged=staged)
    done = "staged" if staged else "pushed"
    print(f"{done} {len(files)} files; schema version {reply.get('version')}")
    if staged:
        print("(use 'fauna schema status' to follow it, 'fauna schema commit' to apply it)")
    return 0


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _pull(api: SchemaApi, arguments: argparse.Namespace, confirm: Confirm | None) -> int:
    listing = api.files(staged=arguments.staged)
    version = listing.get("version")
    names = sorted(
        str(entry.get("filename"))
        for entry in listing.get("files", [])
        if isinstance(entry, dict) and str(entry.get("filename", "")).endswith(".fsl")
    )
    for name in names:
        if not _safe_name(name):
            raise UsageError(f"the server sent a file name that leaves --dir: {name}")
    # Everything is fetched before anything is written, so a failure leaves DIR as it was.
    remote = {name: api.file(name, version=version, staged=arguments.staged) for name in names}
    root = Path(arguments.dir)
    local = gather_fsl(root) if root.exists() else {}
    plan = plan_pull(remote, local, delete=arguments.delete)
    for label, group in (
        ("delete", plan.deletes),
        ("add", plan.adds),
        ("overwrite", plan.overwrites),
    ):
        for name in group:
            print(f"{label + ':':<11}{name}")
    if plan.loses_local_text and not arguments.force:
        if confirm is None:
            raise UsageError(
                "pull would overwrite or delete local .fsl files; pass --force to allow it"
            )
        if not confirm("Accept the changes?"):
            print("Pull cancelled.")
            return 0
    for name in [*plan.adds, *plan.overwrites]:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(remote[name], encoding="utf-8")
    for name in plan.deletes:
        (root / name).unlink()
    print(f"pulled {len(names)} files into {arguments.dir}; schema version {version}")
    return 0


def _status(api: SchemaApi) -> int:
    reply = api.status(format="summary")
    print(f"Staged changes: {reply.get('status')}")
    summary = reply.get("pending_summary")
    if summary:
        print(summary)
    diff = reply.get("diff")
    if diff:
        print(diff)
    return 0


def _finish(api: SchemaApi, action: str, *, force: bool) -> int:
    version = None
    if not force:
        state = api.status()
        status = state.get("status")
        if status == "none":
            raise UsageError(f"there is no staged schema to {action}")
        if action == "commit" and status != "ready":
            raise UsageError(f"the staged schema is {status}, not ready; it cannot be committed")
        version = state.get("version")
    reply = api.finish_staged(
        "commit" if action == "commit" else "abandon", version=version, force=force
    )
    done = "committed" if action == "commit" else "abandoned"
    print(f"{done} the staged schema; schema version {reply.get('version')}")
    return 0
