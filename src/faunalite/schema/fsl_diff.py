"""What a schema push changes: the items to create, update and delete, and how to show them.

``schema_changes(current, proposed)`` compares the items a database has (read back from their
definitions) with the items of pushed FSL files, item by item: same kind and name, and the
same FQL definition document (``definition``), is unchanged. Renames are not detected (as
with FaunaDB's file endpoints, a renamed item is a delete and a create).

``render_diff(changes, before, after, format)`` renders them for ``/schema/1/diff`` and
``/validate``: ``summary`` lists one line per changed item, ``semantic`` adds what changed
inside it (``fsl_semantic``), ``textual`` shows the files' changed lines; all three in
FaunaDB's words (``fql.schema.DiffRender``, as its specs show).

This module decides nothing about storage or transactions (``faunalite.schema_sync`` does).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from faunalite.schema import fsl_ast as f
from faunalite.schema import fsl_semantic
from faunalite.schema.fsl_definitions import definition

ItemKind = Literal["collection", "function", "role", "access provider"]
Action = Literal["create", "update", "delete"]
DiffFormat = Literal["semantic", "summary", "textual"]

KIND_ORDER: tuple[ItemKind, ...] = ("collection", "function", "role", "access provider")
"""Creates and updates run in this order (roles name collections and functions); deletes in
the reverse one."""


def item_kind(item: f.Item) -> ItemKind:
    if isinstance(item, f.Collection):
        return "collection"
    if isinstance(item, f.Function):
        return "function"
    if isinstance(item, f.Role):
        return "role"
    return "access provider"


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One item to create, update or delete. ``item`` is the proposed one (the current one for
    a delete); ``previous`` the current one and ``before`` its definition (``None`` for a
    create)."""

    action: Action
    kind: ItemKind
    name: str
    item: f.Item
    before: dict[str, Any] | None
    previous: f.Item | None = None

    @property
    def after(self) -> dict[str, Any] | None:
        return None if self.action == "delete" else definition(self.item)


def schema_changes(current: Iterable[f.Item], proposed: Iterable[f.Item]) -> list[SchemaChange]:
    """The changes that turn ``current`` into ``proposed``: creates and updates in
    ``KIND_ORDER`` then deletes in reverse ``KIND_ORDER``, each group in file order."""
    have = {(item_kind(item), item.name.text): item for item in current}
    want = {(item_kind(item), item.name.text): item for item in proposed}
    writes: list[SchemaChange] = []
    for (kind, name), item in want.items():
        old = have.get((kind, name))
        if old is None:
            writes.append(SchemaChange("create", kind, name, item, None))
            continue
        before = definition(old)
        if before != definition(item):
            writes.append(SchemaChange("update", kind, name, item, before, old))
    deletes = [
        SchemaChange("delete", kind, name, item, definition(item), item)
        for (kind, name), item in have.items()
        if (kind, name) not in want
    ]
    writes.sort(key=lambda change: KIND_ORDER.index(change.kind))
    deletes.sort(key=lambda change: -KIND_ORDER.index(change.kind))
    return writes + deletes


# -- rendering ------------------------------------------------------------------------------------

_VERBS = {"create": ("Adding", "to"), "update": ("Modifying", "at"), "delete": ("Removing", "from")}


def _location(item: f.Item) -> str:
    """``file:line:column`` of the item, its annotations (``@alias(...)``) included."""
    span = item.span
    if span is None:
        return ""
    text = span.source.text
    start = span.start
    for annotation in (getattr(item, "alias", None), getattr(item, "role", None)):
        where = annotation.span if isinstance(annotation, f.Name) else None
        if where is not None and where.start < start:
            start = max(text.rfind("@", 0, where.start), 0)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return f"{span.source.name}:{line}:{column}"


def _headline(change: SchemaChange) -> str:
    verb, preposition = _VERBS[change.action]
    where = _location(change.item)
    place = f" {preposition} {where}" if where else ""
    return f"* {verb} {change.kind} `{change.name}`{place}"


def render_summary(changes: Iterable[SchemaChange]) -> str:
    return "".join(_headline(change) + "\n" for change in changes)


def render_semantic(changes: Iterable[SchemaChange]) -> str:
    return fsl_semantic.render_semantic(changes, _headline)


def render_textual(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """FaunaDB's text diff (``DiffRender.renderTextual``): per file that differs, in name
    order and a blank line apart, its name, then each hunk as ``@ line a to b`` (lines of the
    new file) and its lines marked ``+``, ``-`` or left as context, three lines around."""
    files: list[str] = []
    for name in sorted(set(before) | set(after)):
        old = before.get(name, "").splitlines()
        new = after.get(name, "").splitlines()
        if old == new:
            continue
        lines = [name]
        for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(3):
            first, last = group[0][3] + 1, group[-1][4]
            lines.append(f"@ line {first} to {max(first, last)}")
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    lines += [_marked(" ", line) for line in old[i1:i2]]
                    continue
                lines += [_marked("-", line) for line in old[i1:i2]]
                lines += [_marked("+", line) for line in new[j1:j2]]
        files.append("".join(line + "\n" for line in lines))
    return "\n".join(files)


def _marked(mark: str, line: str) -> str:
    return f"{mark} {line}".rstrip() if line else mark.strip()


def render_diff(
    changes: list[SchemaChange],
    before: Mapping[str, str],
    after: Mapping[str, str],
    diff_format: DiffFormat,
) -> str:
    if diff_format == "summary":
        return render_summary(changes)
    if diff_format == "textual":
        return render_textual(before, after)
    return render_semantic(changes)
