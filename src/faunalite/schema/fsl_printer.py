"""The FSL printer: ``fsl_ast`` trees back to schema text, in FaunaDB's canonical layout.

The layout follows FaunaDB's ``Displayer``: two-space indentation, annotations on their own
line before the item, a collection's fields first and then its indexes, unique constraints,
checks, ``history_days``, ``ttl_days``, ``document_ttls`` and ``migrations``; a role's
privileges before its memberships; an access provider's ``issuer`` and ``jwks_uri`` before
its roles. Names that are not identifiers are quoted.

FQL expressions are printed as the text they were parsed from (or made with), so
``parse(print(tree)) == tree``. Predicates and computed-field lambdas are printed in the
brackets FSL requires around them; a computed field's lambda is bracketed only when it is a
short lambda, as FaunaDB prints it.
"""

from __future__ import annotations

from faunalite.fql import ast
from faunalite.fql.display import quote_string
from faunalite.fql.lexer import is_display_char
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_members import is_identifier

_INDENT = "  "


def print_fsl(items: f.SchemaFile | tuple[f.Item, ...] | list[f.Item] | f.Item) -> str:
    """Schema text for a file, a list of items or one item; items are separated by a blank
    line."""
    if isinstance(items, f.SchemaFile):
        items = items.items
    if isinstance(items, (tuple, list)):
        return "\n".join(print_item(item) for item in items)
    return print_item(items)


def print_item(item: f.Item) -> str:
    """One declaration, ending with a newline."""
    lines: list[str] = []
    if isinstance(item, f.Collection):
        _collection(item, lines)
    elif isinstance(item, f.Function):
        _function(item, lines)
    elif isinstance(item, f.Role):
        _role(item, lines)
    else:
        _access_provider(item, lines)
    return "".join(line + "\n" for line in lines)


# -- items -----------------------------------------------------------------------------------------


def _collection(item: f.Collection, lines: list[str]) -> None:
    if item.alias is not None:
        lines.append(f"@alias({name_text(item.alias.text)})")
    lines.append(f"collection {name_text(item.name.text)} {{")
    body: list[str] = [_field(each) for each in item.fields]
    for index in item.indexes:
        body.append(f"index {name_text(index.name.text)} {{")
        if index.terms is not None:
            body.append(_INDENT + "terms " + _list([term_text(t) for t in index.terms]))
        if index.values is not None:
            body.append(_INDENT + "values " + _list([value_text(v) for v in index.values]))
        body.append("}")
    body += ["unique " + _list([term_text(t) for t in unique.terms]) for unique in item.uniques]
    body += [f"check {name_text(c.name.text)} ({c.predicate.text})" for c in item.checks]
    if item.history_days is not None:
        body.append(f"history_days {item.history_days}")
    if item.ttl_days is not None:
        body.append(f"ttl_days {item.ttl_days}")
    if item.document_ttls is not None:
        body.append(f"document_ttls {'true' if item.document_ttls else 'false'}")
    if item.migrations is not None:
        body.append("migrations {")
        body += _indented([migration_text(m) for m in item.migrations])
        body.append("}")
    lines += _indented(body)
    lines.append("}")


def _indented(body: list[str]) -> list[str]:
    """Each line of each entry of ``body`` one level in (empty lines stay empty)."""
    return [_INDENT + line if line else line for text in body for line in text.split("\n")]


def _function(item: f.Function, lines: list[str]) -> None:
    if item.alias is not None:
        lines.append(f"@alias({name_text(item.alias.text)})")
    if item.role is not None:
        lines.append(f"@role({name_text(item.role.text)})")
    arguments = ", ".join(_argument(argument) for argument in item.arguments)
    result = "" if item.result is None else ": " + type_text(item.result)
    lines.append(f"function {name_text(item.name.text)}({arguments}){result} {item.body.text}")


def _argument(argument: f.Argument) -> str:
    spread = "..." if argument.variadic else ""
    annotation = "" if argument.type is None else ": " + type_text(argument.type)
    return f"{spread}{argument.name.text}{annotation}"


def _role(item: f.Role, lines: list[str]) -> None:
    lines.append(f"role {name_text(item.name.text)} {{")
    body: list[str] = []
    for privileges in item.privileges:
        body.append(f"privileges {name_text(privileges.resource.text)} {{")
        actions: list[str] = []
        for action in privileges.actions:
            actions += _with_predicate(action.action, action.predicate)
        body += _indented(actions)
        body.append("}")
    for membership in item.memberships:
        body += _with_predicate(
            f"membership {name_text(membership.collection.text)}", membership.predicate
        )
    lines += _indented(body)
    lines.append("}")


def _access_provider(item: f.AccessProvider, lines: list[str]) -> None:
    lines.append(f"access provider {name_text(item.name.text)} {{")
    body = [f"issuer {string_text(item.issuer)}", f"jwks_uri {string_text(item.jwks_uri)}"]
    for role in item.roles:
        body += _with_predicate(f"role {name_text(role.name.text)}", role.predicate)
    lines += _indented(body)
    lines.append("}")


def _with_predicate(head: str, predicate: f.FQLExpr | None) -> list[str]:
    if predicate is None:
        return [head]
    return [head + " {", *_indented([f"predicate ({predicate.text})"]), "}"]


def _list(entries: list[str]) -> str:
    return "[" + ", ".join(entries) + "]"


# -- fields, paths, migrations -----------------------------------------------------------------------


def _field(item: f.Field) -> str:
    if isinstance(item, f.WildcardField):
        return f"*: {type_text(item.type)}"
    if isinstance(item, f.ComputedField):
        annotation = "" if item.type is None else ": " + type_text(item.type)
        return f"compute {name_text(item.name.text)}{annotation} = {lambda_source(item.body)}"
    default = "" if item.default is None else " = " + item.default.text
    return f"{name_text(item.name.text)}: {type_text(item.type)}{default}"


def lambda_source(expr: f.FQLExpr) -> str:
    """A lambda the way FaunaDB writes it: a long lambda as it is, a short one (``.a > 0``)
    in brackets."""
    short = expr.node.short if isinstance(expr.node, ast.Lambda) else expr.text.startswith(".")
    return f"({expr.text})" if short else expr.text


def path_text(path: f.FieldPath) -> str:
    """``.a.b``, ``.["a b"]``, ``.a[0]``."""
    parts: list[str] = []
    for position, step in enumerate(path.steps):
        if isinstance(step, str) and is_identifier(step):
            parts.append("." + step)
        else:
            shown = str(step) if isinstance(step, int) else string_text(step)
            parts.append(("." if position == 0 else "") + f"[{shown}]")
    return "".join(parts)


def term_text(term: f.IndexTerm) -> str:
    path = path_text(term.path)
    return f"mva({path})" if term.mva else path


def value_text(value: f.IndexValue) -> str:
    path = path_text(value.path)
    path = f"mva({path})" if value.mva else path
    return path if value.ascending else f"desc({path})"


def migration_text(migration: f.Migration) -> str:
    if migration.path is None:
        return migration.kind
    head = f"{migration.kind} {path_text(migration.path)}"
    if migration.value is not None:
        return f"{head} = {migration.value.text}"
    if migration.targets:
        return head + " -> " + ", ".join(path_text(target) for target in migration.targets)
    return head


# -- names, strings, types -------------------------------------------------------------------------


def name_text(name: str) -> str:
    """A name bare when it is an identifier, otherwise quoted."""
    return name if is_identifier(name) else string_text(name)


def string_text(text: str) -> str:
    """A double-quoted FQL string literal, escaped as FaunaDB escapes it (``#`` too, so
    nothing interpolates; characters that may not appear raw as ``\\uXXXX``)."""
    return "".join(
        char if is_display_char(char) else _unicode_escape(char) for char in quote_string(text)
    )


def _unicode_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\u{{{code:06x}}}"


def type_text(type_expr: f.TypeExpr) -> str:
    """A type in FaunaDB's display form (``A | B``, ``T?``, ``{ a: Int, *: Any }``)."""
    return _type(type_expr, 0)


def _type(type_expr: f.TypeExpr, precedence: int) -> str:
    if isinstance(type_expr, f.NamedType):
        return type_expr.name
    if isinstance(type_expr, f.AppliedType):
        return type_expr.name + "<" + ", ".join(_type(a, 0) for a in type_expr.args) + ">"
    if isinstance(type_expr, f.LiteralType):
        return _literal(type_expr.value)
    if isinstance(type_expr, f.ObjectType):
        entries = [_object_field(item) for item in type_expr.fields]
        if type_expr.wildcard is not None:
            entries.append("*: " + _type(type_expr.wildcard, 0))
        if type_expr.interface:
            entries.append("...")
        return "{ " + ", ".join(entries) + " }" if entries else "{}"
    if isinstance(type_expr, f.TupleType):
        return "[" + ", ".join(_type(e, 0) for e in type_expr.elements) + "]"
    if isinstance(type_expr, f.UnionType):
        text = " | ".join(_type(m, 20) for m in type_expr.members)
        return f"({text})" if precedence > 20 else text
    if isinstance(type_expr, f.IntersectionType):
        text = " & ".join(_type(m, 30) for m in type_expr.members)
        return f"({text})" if precedence > 30 else text
    if isinstance(type_expr, f.NullableType):
        return _type(type_expr.base, 50) + "?"
    return _function_type(type_expr, precedence)


def _function_type(type_expr: f.FunctionType, precedence: int) -> str:
    def param(label: str | None, param_type: f.TypeExpr, spread: str = "") -> str:
        shown = spread + _type(param_type, 11)
        return shown if label is None else f"{label}: {shown}"

    params = [param(label, t) for label, t in type_expr.params]
    if type_expr.variadic is not None:
        params.append(param(type_expr.variadic[0], type_expr.variadic[1], "..."))
    result = _type(type_expr.result, 10)
    single = len(type_expr.params) == 1 and type_expr.params[0][0] is None
    if single and type_expr.variadic is None:
        text = f"{params[0]} => {result}"
    else:
        text = "(" + ", ".join(params) + f") => {result}"
    return f"({text})" if precedence > 10 else text


def _object_field(item: f.ObjectTypeField) -> str:
    text = f"{name_text(item.name)}: {_type(item.type, 0)}"
    return text if item.default is None else f"{text} = {item.default.text}"


def _literal(value: str | int | float | bool | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string_text(value)
    return repr(value)
