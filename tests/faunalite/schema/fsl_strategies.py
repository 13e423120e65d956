"""Hypothesis strategies for FSL trees: every construct, with names unique where FSL
requires it, so that each generated tree is a valid schema."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_members import ACTIONS, RESERVED_FIELD_NAMES, is_identifier

_IDENTIFIERS = st.from_regex(r"[a-z][a-zA-Z0-9_]{0,5}", fullmatch=True).filter(is_identifier)
_FIELD_NAMES = _IDENTIFIERS.filter(lambda name: name not in RESERVED_FIELD_NAMES)
_TYPE_NAMES = st.sampled_from(["String", "Int", "Any", "Never", "Null", "User", "Boolean", "_"])
_STRINGS = st.text(
    st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.sampled_from(["\n", "\t", "\x01", "\x7f", "é", "\u2028", "😀", "#", "{", "\\"]),
    ),
    max_size=6,
)
_VALUES = st.sampled_from(
    ["0", "1 + 2", '"x"', "[]", "{ a: 1 }", "null", "Time.now()", "-1", "{\n  let a = 2\n  a\n}"]
)
_LAMBDAS = st.sampled_from(["doc => doc.a", "(doc) => doc.a > 0", "x => true", ".name"])
_PREDICATES = st.sampled_from(
    ["doc => true", "(doc) => doc.a == 1", "(a, b) => a == b", "(x) => {\n  x.ok\n}"]
)
_BODIES = st.sampled_from(["{ 1 }", "{\n  let x = 1\n  x\n}", "{ Time.now() }"])


def _expr(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[f.FQLExpr]:
    return strategy.map(f.FQLExpr)


def _types(allow_defaults: bool = False) -> st.SearchStrategy[f.TypeExpr]:
    literal = st.one_of(
        _STRINGS, st.integers(-1000, 1000), st.sampled_from([True, False, None, 2.5])
    ).map(f.LiteralType)
    base = st.one_of(_TYPE_NAMES.map(f.NamedType), literal)

    def extend(inner: st.SearchStrategy[f.TypeExpr]) -> st.SearchStrategy[f.TypeExpr]:
        not_union = inner.filter(lambda t: not isinstance(t, f.UnionType))
        not_intersection = inner.filter(lambda t: not isinstance(t, f.IntersectionType))
        members = st.lists(inner, min_size=1, max_size=3)
        object_field = st.builds(f.ObjectTypeField, _STRINGS, inner)
        param = st.tuples(st.one_of(st.none(), _IDENTIFIERS), inner)
        return st.one_of(
            st.builds(f.AppliedType, st.sampled_from(["Array", "Ref", "Set"]), members.map(tuple)),
            st.builds(
                f.ObjectType,
                st.lists(object_field, max_size=3, unique_by=lambda x: x.name).map(tuple),
                st.one_of(st.none(), inner),
                st.booleans(),
            ),
            st.lists(inner, max_size=3).map(lambda items: f.TupleType(tuple(items))),
            st.lists(not_union, min_size=2, max_size=3).map(lambda m: f.UnionType(tuple(m))),
            st.lists(not_intersection, min_size=2, max_size=3).map(
                lambda m: f.IntersectionType(tuple(m))
            ),
            inner.map(f.NullableType),
            st.builds(
                f.FunctionType,
                st.lists(param, max_size=2).map(tuple),
                st.one_of(st.none(), param),
                inner,
            ),
        )

    return st.recursive(base, extend, max_leaves=6)


_PATH_STEPS = st.one_of(_IDENTIFIERS, _STRINGS.filter(bool), st.integers(0, 9))
_PATHS = st.lists(_PATH_STEPS, min_size=1, max_size=3).map(lambda s: f.FieldPath(tuple(s)))
_NAMED_PATHS = st.lists(st.one_of(_IDENTIFIERS, _STRINGS.filter(bool)), min_size=1, max_size=3).map(
    lambda s: f.FieldPath(tuple(s))
)
_TERMS = st.builds(f.IndexTerm, _PATHS, st.booleans())
_VALUES_ENTRIES = st.builds(f.IndexValue, _PATHS, st.booleans(), st.booleans())


def _migrations() -> st.SearchStrategy[f.Migration]:
    one_path = st.sampled_from(["add", "drop", "move_conflicts", "move_wildcard"])
    return st.one_of(
        st.builds(lambda kind, path: f.Migration(kind, path), one_path, _NAMED_PATHS),
        st.builds(lambda p, v: f.Migration("backfill", p, value=v), _NAMED_PATHS, _expr(_VALUES)),
        st.builds(
            lambda p, t: f.Migration("split", p, tuple(t)),
            _NAMED_PATHS,
            st.lists(_NAMED_PATHS, min_size=2, max_size=3, unique=True),
        ),
        st.builds(lambda p, t: f.Migration("move", p, (t,)), _NAMED_PATHS, _NAMED_PATHS),
        st.just(f.Migration("add_wildcard")),
    )


def _field(name: str, draw: Any) -> f.Field:
    kind = draw(st.sampled_from(["defined", "computed"]))
    if kind == "computed":
        field_type = draw(st.one_of(st.none(), _types()))
        return f.ComputedField(f.Name(name), field_type, draw(_expr(_LAMBDAS)))
    default = draw(st.one_of(st.none(), _expr(_VALUES)))
    return f.DefinedField(f.Name(name), draw(_types()), default)


@st.composite
def collection(draw: Any, name: str, alias: str | None) -> f.Collection:
    field_names = draw(st.lists(_FIELD_NAMES, max_size=3, unique=True))
    fields: list[f.Field] = [_field(field_name, draw) for field_name in field_names]
    if draw(st.booleans()):
        fields.append(f.WildcardField(draw(_types())))
    index_names = draw(st.lists(_IDENTIFIERS, max_size=2, unique=True))
    indexes = tuple(
        f.Index(
            f.Name(index_name),
            draw(st.one_of(st.none(), st.lists(_TERMS, min_size=1, max_size=2).map(tuple))),
            draw(
                st.one_of(st.none(), st.lists(_VALUES_ENTRIES, min_size=1, max_size=2).map(tuple))
            ),
        )
        for index_name in index_names
    )
    uniques = draw(st.lists(st.lists(_TERMS, min_size=1, max_size=2), max_size=1))
    check_names = draw(st.lists(_IDENTIFIERS, max_size=2, unique=True))
    checks = tuple(f.Check(f.Name(n), draw(_expr(_PREDICATES))) for n in check_names)
    return f.Collection(
        f.Name(name),
        None if alias is None else f.Name(alias),
        tuple(fields),
        indexes,
        tuple(f.Unique(tuple(terms)) for terms in uniques),
        checks,
        draw(st.one_of(st.none(), st.integers(0, 400))),
        draw(st.one_of(st.none(), st.integers(0, 400))),
        draw(st.one_of(st.none(), st.booleans())),
        draw(st.one_of(st.none(), st.lists(_migrations(), min_size=1, max_size=3).map(tuple))),
    )


@st.composite
def function(draw: Any, name: str, alias: str | None) -> f.Function:
    arg_names = draw(st.lists(_IDENTIFIERS, max_size=3, unique=True))
    typed = draw(st.booleans()) and bool(arg_names)
    variadic = draw(st.booleans()) and bool(arg_names)
    arguments = tuple(
        f.Argument(
            f.Name(arg),
            draw(_types()) if typed else None,
            variadic and index == len(arg_names) - 1,
        )
        for index, arg in enumerate(arg_names)
    )
    result = draw(_types()) if typed else None
    role = draw(st.one_of(st.none(), _IDENTIFIERS.map(f.Name)))
    alias_name = None if alias is None else f.Name(alias)
    return f.Function(f.Name(name), arguments, draw(_expr(_BODIES)), result, alias_name, role)


@st.composite
def role(draw: Any, name: str) -> f.Role:
    resources = draw(st.lists(_IDENTIFIERS, max_size=2, unique=True))
    privileges = tuple(
        f.Privileges(
            f.Name(resource),
            tuple(
                f.Privilege(action, draw(st.one_of(st.none(), _expr(_PREDICATES))))
                for action in draw(st.lists(st.sampled_from(ACTIONS), max_size=3, unique=True))
            ),
        )
        for resource in resources
    )
    members = draw(st.lists(_IDENTIFIERS, max_size=2, unique=True))
    memberships = tuple(
        f.Membership(f.Name(m), draw(st.one_of(st.none(), _expr(_PREDICATES)))) for m in members
    )
    return f.Role(f.Name(name), privileges, memberships)


@st.composite
def access_provider(draw: Any, name: str) -> f.AccessProvider:
    roles = draw(st.lists(_IDENTIFIERS, max_size=2, unique=True))
    return f.AccessProvider(
        f.Name(name),
        draw(_STRINGS),
        draw(_STRINGS),
        tuple(
            f.ProviderRole(f.Name(r), draw(st.one_of(st.none(), _expr(_PREDICATES)))) for r in roles
        ),
    )


@st.composite
def schemas(draw: Any) -> tuple[f.Item, ...]:
    names = draw(st.lists(st.one_of(_IDENTIFIERS, st.just("my-coll")), max_size=8, unique=True))
    items: list[f.Item] = []
    for index, name in enumerate(names):
        kind = draw(st.sampled_from(["collection", "function", "role", "access provider"]))
        alias = f"alias{index}" if draw(st.booleans()) else None
        if kind == "collection":
            items.append(draw(collection(name, alias)))
        elif kind == "function" and is_identifier(name):
            items.append(draw(function(name, alias)))
        elif kind == "role":
            items.append(draw(role(name)))
        else:
            items.append(draw(access_provider(name)))
    return tuple(items)
