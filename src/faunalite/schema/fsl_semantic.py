"""The ``semantic`` schema diff: what each added, removed or modified item changes, in
FaunaDB's words (``fql.schema.DiffRender.renderSemantic``, as its ``SchemaDiffSpec`` shows).

Each item is a headline (``* Modifying collection `Foo` at main.fsl:1:1``), then, after a
``:``, its changes, then a blank line. A collection's changes come in sections
(``* Computed fields:``, ``* Indexes:``, ``* Constraints:``, ``* Configuration:``), one blank
line apart, each listing additions (``+``), then removals (``-``), then changes (``~``);
functions and roles list theirs directly. A modified item with nothing to show says
``No semantic changes.``. Migrations (``* Defined fields:``) are not rendered.

This module only renders; ``fsl_diff`` decides what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_printer import lambda_source, term_text, type_text, value_text

if TYPE_CHECKING:
    from faunalite.schema.fsl_diff import SchemaChange

_T = TypeVar("_T")


def render_semantic(
    changes: Iterable[SchemaChange], headline: Callable[[SchemaChange], str]
) -> str:
    parts: list[str] = []
    for change in changes:
        body = _body(change)
        parts.append(headline(change) + (":\n" + body if body else "\n") + "\n")
    return "".join(parts)


def _body(change: SchemaChange) -> str:
    item, before = change.item, change.previous
    if isinstance(item, f.Collection):
        empty = f.Collection(item.name)
        if change.action == "create":
            return _collection(empty, item, whole=item)
        if change.action == "delete":
            return _collection(item, empty, whole=item)
        assert isinstance(before, f.Collection)
        return _collection(before, item)
    if change.action != "update":
        return ""
    lines: list[str] = []
    if isinstance(item, f.Function) and isinstance(before, f.Function):
        lines = _function(before, item)
    elif isinstance(item, f.Role) and isinstance(before, f.Role):
        lines = _role(before, item)
    return "".join(line + "\n" for line in lines) or "  No semantic changes.\n"


# -- collections ---------------------------------------------------------------------------------


def _collection(
    before: f.Collection, after: f.Collection, whole: f.Collection | None = None
) -> str:
    """The sections of a modified collection; of an added or removed one (``whole``), where
    an empty collection shows nothing at all."""
    sections = [
        ("Computed fields", _computed(before, after)),
        ("Indexes", _indexes(before, after)),
        ("Constraints", _constraints(before, after)),
        ("Configuration", _configuration(before, after)),
    ]
    shown = [
        f"  * {title}:\n" + "".join(line + "\n" for line in lines)
        for title, lines in sections
        if lines
    ]
    if shown:
        return "\n".join(shown)
    if whole is not None and whole == f.Collection(whole.name):
        return ""
    return "  No semantic changes.\n"


def _by_name(
    old: Sequence[_T],
    new: Sequence[_T],
    key: Callable[[_T], str],
    added: Callable[[_T], str],
    removed: Callable[[_T], str],
    changed: Callable[[_T, _T], list[str]],
) -> list[str]:
    """Additions, then removals, then changes, matching entries by ``key``."""
    olds = {key(entry): entry for entry in old}
    news = {key(entry): entry for entry in new}
    lines = [added(entry) for name, entry in news.items() if name not in olds]
    lines += [removed(entry) for name, entry in olds.items() if name not in news]
    for name, entry in news.items():
        if name in olds and olds[name] != entry:
            lines += changed(olds[name], entry)
    return lines


def _computed(before: f.Collection, after: f.Collection) -> list[str]:
    def computed(collection: f.Collection) -> list[f.ComputedField]:
        return [item for item in collection.fields if isinstance(item, f.ComputedField)]

    return _by_name(
        computed(before),
        computed(after),
        lambda field: field.name.text,
        lambda field: f"  + add computed field `{field.name.text}`",
        lambda field: f"  - remove computed field `{field.name.text}`",
        lambda old, new: [f"  ~ change computed field `{new.name.text}`"],
    )


def _terms_text(entries: Sequence[f.IndexTerm] | None) -> str:
    return "[" + ", ".join(term_text(term) for term in entries or ()) + "]"


def _values_text(entries: Sequence[f.IndexValue] | None) -> str:
    return "[" + ", ".join(value_text(value) for value in entries or ()) + "]"


def _index_changes(old: f.Index, new: f.Index) -> list[str]:
    lines = [f"  ~ change index `{new.name.text}`"]
    if old.terms != new.terms:
        lines.append(
            f"    ~ change terms from {_terms_text(old.terms)} to {_terms_text(new.terms)}"
        )
    if old.values != new.values:
        lines.append(
            f"    ~ change values from {_values_text(old.values)} to {_values_text(new.values)}"
        )
    return lines


def _indexes(before: f.Collection, after: f.Collection) -> list[str]:
    return _by_name(
        before.indexes,
        after.indexes,
        lambda index: index.name.text,
        lambda index: f"  + add index `{index.name.text}`",
        lambda index: f"  - remove index `{index.name.text}`",
        _index_changes,
    )


def _constraints(before: f.Collection, after: f.Collection) -> list[str]:
    old_uniques = [_terms_text(unique.terms) for unique in before.uniques]
    new_uniques = [_terms_text(unique.terms) for unique in after.uniques]
    adds = [
        f"  + add unique constraint on {terms}" for terms in new_uniques if terms not in old_uniques
    ]
    removes = [
        f"  - remove unique constraint on {terms}"
        for terms in old_uniques
        if terms not in new_uniques
    ]
    olds = {check.name.text: check for check in before.checks}
    news = {check.name.text: check for check in after.checks}
    adds += [f"  + add check constraint `{name}`" for name in news if name not in olds]
    removes += [f"  - remove check constraint `{name}`" for name in olds if name not in news]
    changes = [
        f"  ~ change check constraint `{name}` body"
        for name, check in news.items()
        if name in olds and lambda_source(olds[name].predicate) != lambda_source(check.predicate)
    ]
    return adds + removes + changes


def _setting(name: str, old: object, new: object) -> tuple[str, str] | None:
    """One configuration line, with its kind (``+``, ``-``, ``~``) for ordering."""
    if old == new:
        return None
    if old is None:
        return "+", f"  + add {name} set to {new}"
    if new is None:
        return "-", f"  - remove {name} set to {old}"
    return "~", f"  ~ change {name} from {old} to {new}"


def _configuration(before: f.Collection, after: f.Collection) -> list[str]:
    # An explicit `history_days 0` is the default: declaring or dropping it is no change.
    old_history, new_history = before.history_days, after.history_days
    if (old_history or 0) == (new_history or 0):
        old_history = new_history
    settings = [
        _setting("alias", _text(before.alias), _text(after.alias)),
        _setting("ttl_days", before.ttl_days, after.ttl_days),
        _setting("document_ttls", before.document_ttls, after.document_ttls),
        _setting("history_days", old_history, new_history),
    ]
    defaults_before = _defaults(before)
    defaults_after = _defaults(after)
    for name, default in defaults_after.items():
        if name not in defaults_before:
            settings.append(("+", f"  + add default value to field `.{name}`"))
        elif defaults_before[name] != default:
            settings.append(("~", f"  ~ change default value of field `.{name}`"))
    for name in defaults_before:
        if name not in defaults_after and name in _field_names(after):
            settings.append(("-", f"  - remove default value from field `.{name}`"))
    present = [setting for setting in settings if setting is not None]
    return [line for kind in "+-~" for mark, line in present if mark == kind]


def _text(name: f.Name | None) -> str | None:
    return None if name is None else name.text


def _defaults(collection: f.Collection) -> dict[str, str]:
    return {
        item.name.text: item.default.text
        for item in collection.fields
        if isinstance(item, f.DefinedField) and item.default is not None
    }


def _field_names(collection: f.Collection) -> set[str]:
    return {item.name.text for item in collection.fields if isinstance(item, f.DefinedField)}


# -- functions and roles -------------------------------------------------------------------------


def _signature(function: f.Function) -> tuple[object, ...]:
    return (
        tuple(
            (
                argument.name.text,
                argument.variadic,
                None if argument.type is None else type_text(argument.type),
            )
            for argument in function.arguments
        ),
        None if function.result is None else type_text(function.result),
    )


def _function(before: f.Function, after: f.Function) -> list[str]:
    lines: list[str] = []
    for name, old, new in (
        ("alias", _text(before.alias), _text(after.alias)),
        ("role", _text(before.role), _text(after.role)),
    ):
        setting = _setting(name, old, new)
        if setting is not None:
            lines.append(setting[1])
    if _signature(before) != _signature(after):
        lines.append("  ~ change signature")
    if lambda_source(before.body) != lambda_source(after.body):
        lines.append("  ~ change body")
    return lines


def _predicate_change(head: str, old: f.FQLExpr | None, new: f.FQLExpr | None) -> str | None:
    if old is None and new is not None:
        return f"{head} by adding a predicate"
    if old is not None and new is None:
        return f"{head} by removing a predicate"
    if old is not None and new is not None and lambda_source(old) != lambda_source(new):
        return f"{head} by modifying its predicate"
    return None


def _privileges_changes(old: f.Privileges, new: f.Privileges) -> list[str]:
    lines = [f"  ~ change privileges on `{new.resource.text}`"]
    olds = {privilege.action: privilege for privilege in old.actions}
    news = {privilege.action: privilege for privilege in new.actions}
    lines += [f"    + add {action}" for action in news if action not in olds]
    lines += [f"    - remove {action}" for action in olds if action not in news]
    for action, privilege in news.items():
        if action in olds:
            line = _predicate_change(
                f"    ~ change {action}", olds[action].predicate, privilege.predicate
            )
            if line is not None:
                lines.append(line)
    return lines if len(lines) > 1 else []


def _membership_changes(old: f.Membership, new: f.Membership) -> list[str]:
    line = _predicate_change(
        f"  ~ change membership on `{new.collection.text}`", old.predicate, new.predicate
    )
    return [] if line is None else [line]


def _role(before: f.Role, after: f.Role) -> list[str]:
    lines = _by_name(
        before.privileges,
        after.privileges,
        lambda privileges: privileges.resource.text,
        lambda privileges: f"  + add privileges on `{privileges.resource.text}`",
        lambda privileges: f"  - remove privileges on `{privileges.resource.text}`",
        _privileges_changes,
    )
    lines += _by_name(
        before.memberships,
        after.memberships,
        lambda membership: membership.collection.text,
        lambda membership: f"  + add membership on `{membership.collection.text}`",
        lambda membership: f"  - remove membership on `{membership.collection.text}`",
        _membership_changes,
    )
    return lines
