"""The stdlib's type signatures: every member has one, each parses, each agrees with the
member's arity, and the ones FaunaDB declares are FaunaDB's.

FaunaDB's strings are from its typer's environment dump,
``ext/api/src/test/resources/static_environment_response_v1.json`` (and, for user collections,
the types ``ext/fql/shared/src/main/scala/env/CollectionTypeInfo.scala`` derives).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

# Importing these registers their tables: the stdlib, the schema modules (Collection,
# Function, Database, Role, Key), the document prototypes and the index methods.
import faunalite.fql.stdlib
import faunalite.model.collections
import faunalite.model.databases
import faunalite.model.doc_methods
import faunalite.model.functions
import faunalite.model.indexes
from faunalite.engine import Engine, QueryRequest
from faunalite.fql.members import access_method
from faunalite.fql.stdlib.registry import (
    GLOBAL_FUNCTIONS,
    MODULES,
    OPERATOR_SIGNATURES,
    PROTOTYPES,
    NativeMethod,
    TypeTable,
)
from faunalite.fql.stdlib.signatures import (
    SignatureError,
    accepts,
    apply_signature,
    function_signature,
    global_function_signature,
    member_signature,
    operator_signature,
    parse_signature,
    self_type,
    tables_by_type_name,
)
from faunalite.model.collections import USER_COLLECTION, index_method_signature
from faunalite.schema import fsl_ast as f
from faunalite.wire.request import parse_query_body


def _all_tables() -> list[TypeTable]:
    tables = {id(table): table for table in [*PROTOTYPES.values(), *MODULES.values()]}
    tables[id(USER_COLLECTION)] = USER_COLLECTION
    return list(tables.values())


def _methods() -> list[tuple[str, NativeMethod]]:
    """Every method, callable module and global function, named for test ids."""
    found: list[tuple[str, NativeMethod]] = []
    for table in _all_tables():
        found.extend(
            (f"{table.self_type}.{name}", method) for name, method in table.methods.items()
        )
        if table.apply is not None:
            found.append((f"{table.self_type}()", table.apply))
    found.extend((f"global {name}", method) for name, method in GLOBAL_FUNCTIONS.items())
    for value in ([1], {"a": 1}, "ab"):
        access = access_method(value)
        assert access is not None
        found.append((f"{type(value).__name__}[]", access))
    return found


METHODS = _methods()
FIELDS = [(table, name) for table in _all_tables() for name in table.fields]


# -- every member has a signature, and it parses -------------------------------------------------


@pytest.mark.parametrize(("table", "name"), FIELDS, ids=[f"{t.name}.{n}" for t, n in FIELDS])
def test_every_field_declares_a_type_that_parses(table: TypeTable, name: str) -> None:
    assert name in table.field_signatures
    scheme = member_signature(table, name)
    assert isinstance(scheme, f.TypeScheme)


@pytest.mark.parametrize(("label", "method"), METHODS, ids=[label for label, _ in METHODS])
def test_every_method_declares_a_function_type_that_parses(
    label: str, method: NativeMethod
) -> None:
    body = function_signature(method).body
    assert isinstance(body, (f.FunctionType, f.IntersectionType)), label
    if isinstance(body, f.IntersectionType):
        assert all(isinstance(member, f.FunctionType) for member in body.members)


@pytest.mark.parametrize("table", _all_tables(), ids=lambda table: table.name)
def test_every_table_names_its_own_type(table: TypeTable) -> None:
    scheme = self_type(table)
    assert isinstance(scheme.body, (f.NamedType, f.AppliedType))
    if isinstance(scheme.body, f.AppliedType):
        # The receiver's generics are exactly the parameters its type is applied to.
        assert scheme.params == tuple(
            arg.name for arg in scheme.body.args if isinstance(arg, f.NamedType)
        )


KNOWN_TYPES = {
    *("Any", "Never", "Number", "Int", "Long", "Double", "Float", "String", "Boolean", "Null"),
    *("Time", "Date", "Bytes", "ID", "UUID", "TransactionTime", "SetCursor"),
    *("Array", "Set", "EventSource", "Ref", "NamedRef"),
    *("CollectionDef", "FunctionDef", "DatabaseDef", "Role", "Key", "NullKey"),
}


def _named_types(node: object) -> Iterator[str]:
    if isinstance(node, f.NamedType):
        yield node.name
    elif isinstance(node, f.AppliedType):
        yield node.name
        for arg in node.args:
            yield from _named_types(arg)
    elif isinstance(node, f.ObjectType):
        for item in node.fields:
            yield from _named_types(item.type)
        if node.wildcard is not None:
            yield from _named_types(node.wildcard)
    elif isinstance(node, (f.UnionType, f.IntersectionType)):
        for member in node.members:
            yield from _named_types(member)
    elif isinstance(node, f.TupleType):
        for element in node.elements:
            yield from _named_types(element)
    elif isinstance(node, f.NullableType):
        yield from _named_types(node.base)
    elif isinstance(node, f.FunctionType):
        for _, param in node.params:
            yield from _named_types(param)
        if node.variadic is not None:
            yield from _named_types(node.variadic[1])
        yield from _named_types(node.result)


def _members_with_tables() -> list[tuple[str, TypeTable | None, str]]:
    rows: list[tuple[str, TypeTable | None, str]] = []
    for table in _all_tables():
        for name, text in table.field_signatures.items():
            rows.append((f"{table.name}.{name}", table, text))
        for name, method in table.methods.items():
            rows.append((f"{table.name}.{name}", table, method.signature))
        if table.apply is not None:
            rows.append((f"{table.name}()", table, table.apply.signature))
    for name, method in GLOBAL_FUNCTIONS.items():
        rows.append((name, None, method.signature))
    return rows


MEMBERS = _members_with_tables()


@pytest.mark.parametrize(("label", "table", "text"), MEMBERS, ids=[row[0] for row in MEMBERS])
def test_every_type_a_signature_names_exists_or_is_bound(
    label: str, table: TypeTable | None, text: str
) -> None:
    """A misspelt type (``Numbr``) or a type parameter nobody binds is a wrong signature."""
    scheme = parse_signature(text)
    bound = set(scheme.params)
    if table is not None:
        bound |= set(self_type(table).params)
    unknown = set(_named_types(scheme.body)) - KNOWN_TYPES - bound
    assert unknown == set(), label


# -- arity agrees with the signature -------------------------------------------------------------


@pytest.mark.parametrize(("label", "method"), METHODS, ids=[label for label, _ in METHODS])
def test_the_declared_arity_is_what_the_signature_accepts(label: str, method: NativeMethod) -> None:
    body = function_signature(method).body
    if method.arity is None:
        members = body.members if isinstance(body, f.IntersectionType) else (body,)
        assert any(isinstance(m, f.FunctionType) and m.variadic for m in members), label
        return
    for count in range(max(method.arity) + 3):
        assert accepts(body, count) == (count in method.arity), (label, count)


def test_accepts_counts_fixed_overloaded_and_variadic_parameters() -> None:
    one_or_two = parse_signature("((a: Number) => Number) & ((a: Number, b: Number) => Number)")
    assert [accepts(one_or_two.body, n) for n in range(4)] == [False, True, True, False]
    variadic = parse_signature("(first: Any, rest: ...Any) => Null")
    assert [accepts(variadic.body, n) for n in range(4)] == [False, True, True, True]
    assert not accepts(parse_signature("Number").body, 0)


# -- FaunaDB's strings ---------------------------------------------------------------------------

# (table, member, FaunaDB's type) from static_environment_response_v1.json; "()" is the
# module's apply.
FAUNADB_SIGNATURES = [
    ("Array", "map", "<A, B> (mapper: (A => B)) => Array<B>"),
    ("Array", "where", "<A> (predicate: (A => Boolean | Null)) => Array<A>"),
    ("Array", "fold", "<A, B> (seed: B, reducer: (B, A) => B) => B"),
    ("Array", "concat", "<A, B> (other: Array<B>) => Array<A | B>"),
    ("Array", "entries", "<A> () => Array<[Number, A]>"),
    ("Array", "order", "<A> (ordering: ...(A => Any) & {}) => Array<A>"),
    (
        "Array",
        "slice",
        "<A> ((from: Number) => Array<A>) & ((from: Number, until: Number) => Array<A>)",
    ),
    ("Array", "length", "Number"),
    ("Set", "flatMap", "<A, B> (mapper: (A => Set<B>)) => Set<B>"),
    ("Set", "changesOn", "<A> (fields: ...A => Any) => EventSource<A>"),
    (
        "Set",
        "paginate",
        "<A> (() => { data: Array<A>, after: String | Null }) & ((size: Number) => "
        "{ data: Array<A>, after: String | Null })",
    ),
    ("Set", "count", "() => Number"),
    ("String", "splitAt", "(index: Number) => [String, String]"),
    (
        "String",
        "indexOf",
        "((pattern: String) => Number | Null) & ((pattern: String, start: Number) => Number | Null)",
    ),
    ("String", "parseInt", "(() => Number | Null) & ((radix: Number) => Number | Null)"),
    ("String", "matchIndexes", "(regex: String) => Array<[Number, String]>"),
    ("Time", "difference", "(start: Time, unit: String) => Number"),
    ("Time", "hour", "Number"),
    ("Date", "difference", "(start: Date) => Number"),
    ("EventSource", "map", "<A, B> (mapper: (A => B)) => EventSource<B>"),
    ("Math", "mean", "((numbers: Array<Number>) => Number) & ((numbers: Set<Number>) => Number)"),
    ("Math", "round", "(x: Number, precision: Number) => Number"),
    ("Math", "PI", "Number"),
    ("Object", "assign", "<A, B> (destination: { *: A }, source: { *: B }) => { *: A | B }"),
    ("Query", "identity", "() => { *: Any } | Null"),
    ("Set module", "single", "<A> (element: A) => Set<A>"),
    ("Time module", "epoch", "(offset: Number, unit: String) => Time"),
    ("Time module", "()", "(time: String) => Time"),
    ("ID module", "()", "((id: String) => ID) & ((id: Number) => ID)"),
    ("TransactionTime module", "()", "() => TransactionTime"),
    ("Key", "byId", "(id: ID) => Ref<Key>"),
    ("Function", "()", "(function: String) => Any"),
    ("Role", "byName", "(name: String) => NamedRef<Role>"),
    (
        "Collection",
        "all",
        "(() => Set<CollectionDef>) & ((range: { from: Any } | { to: Any } | "
        "{ from: Any, to: Any }) => Set<CollectionDef>)",
    ),
    ("Database", "firstWhere", "(pred: (DatabaseDef => Boolean)) => DatabaseDef | Null"),
    ("UserFunction", "definition", "FunctionDef"),
    (
        "Function",
        "create",
        "(data: { name: String, alias: String | Null, signature: String | Null, "
        "role: String | Null, body: String, data: { *: Any } | Null }) => FunctionDef",
    ),
    (
        "Key",
        "create",
        "(data: { role: String, database: String | Null, ttl: Time | Null, "
        "data: { *: Any } | Null }) => Key",
    ),
]


def _table(label: str) -> TypeTable:
    """``"Time module"`` is the module's table; a plain name is the prototype of that name,
    else the module (``Math``, ``Key``)."""
    if label.endswith(" module"):
        return MODULES[label.removesuffix(" module")]
    for table in PROTOTYPES.values():
        if table.name == label:
            return table
    return MODULES[label]


@pytest.mark.parametrize(
    ("table_label", "member", "faunadb"),
    FAUNADB_SIGNATURES,
    ids=[f"{t}.{m}" for t, m, _ in FAUNADB_SIGNATURES],
)
def test_signatures_are_faunadbs(table_label: str, member: str, faunadb: str) -> None:
    table = _table(table_label)
    declared = apply_signature(table) if member == "()" else member_signature(table, member)
    # Compared parsed (spans aside), so only the type matters, not its spacing.
    assert declared == parse_signature(faunadb)


@pytest.mark.parametrize(
    ("name", "faunadb"),
    [
        ("abort", "(return: Any) => Never"),
        ("log", "(args: ...Any) => Null"),
        ("asc", "<A> (accessor: (A => Any)) => { asc: A => Any }"),
        ("newId", "() => ID"),
    ],
)
def test_global_functions_are_faunadbs(name: str, faunadb: str) -> None:
    assert global_function_signature(name) == parse_signature(faunadb)


@pytest.mark.parametrize(
    ("label", "faunadb"),
    [
        ("Array", "<A> Array<A>"),
        ("Set", "<A> Set<A>"),
        ("EventSource", "<A> EventSource<A>"),
        ("String", "String"),
        ("Math module", "MathModule"),
        ("Collection module", "CollectionCollection"),
        ("Key module", "KeyCollection"),
    ],
)
def test_tables_name_their_type_as_faunadb(label: str, faunadb: str) -> None:
    assert _table(label).self_type == faunadb


def test_the_checker_finds_each_table_by_its_types_name() -> None:
    tables = tables_by_type_name()
    assert tables["Array"] is PROTOTYPES[list]
    assert tables["Number"] is PROTOTYPES[int] is PROTOTYPES[float]
    assert tables["MathModule"] is MODULES["Math"]
    assert tables["CollectionCollection"] is MODULES["Collection"]
    # Every prototype and module is reachable, under exactly one name.
    distinct = {id(table) for table in [*PROTOTYPES.values(), *MODULES.values()]}
    assert {id(table) for table in tables.values()} == distinct


@pytest.mark.parametrize(
    ("receiver", "symbol", "faunadb"),
    [
        (1, "-", "((other: Number) => Number) & (() => Number)"),
        (1.5, "**", "(exponent: Number) => Number"),
        (1, "~", "() => Number"),
        (True, "&&", "(other: Boolean) => Boolean"),
        (True, "!", "() => Boolean"),
        (1, "+", "((Number, Number) => Number) & ((String, String) => String)"),
        ("a", "==", "(Any, Any) => Boolean"),
    ],
)
def test_operators_have_faunadbs_types(receiver: object, symbol: str, faunadb: str) -> None:
    """The types of each type's ``ops``, then Typer.scala's ``HardcodedOps``."""
    assert operator_signature(PROTOTYPES[type(receiver)], symbol) == parse_signature(faunadb)


def test_every_operator_type_is_a_function_type() -> None:
    texts = [*OPERATOR_SIGNATURES.values()]
    for table in _all_tables():
        texts.extend(table.operator_signatures.values())
    for text in texts:
        assert isinstance(parse_signature(text).body, (f.FunctionType, f.IntersectionType))


def test_an_operator_no_type_declares_has_no_signature() -> None:
    assert operator_signature(PROTOTYPES[str], "-") is None
    assert operator_signature(None, "??") is None


# -- user collections ----------------------------------------------------------------------------


def test_user_collection_members_are_faunadbs_for_a_collection_without_fields() -> None:
    """CollectionTypeInfo.scala: ``byId``/apply return ``Ref<Doc>``; ``create`` takes the
    optional ``id`` and ``ttl``, ``data`` only as null, and any other field."""
    assert member_signature(USER_COLLECTION, "byId") == parse_signature("(id: ID) => Ref<Doc>")
    assert apply_signature(USER_COLLECTION) == parse_signature("(id: ID) => Ref<Doc>")
    assert member_signature(USER_COLLECTION, "create") == parse_signature(
        "(data: { id: ID | Null, ttl: Time | Null, data: Null, *: Any }) => Doc"
    )
    assert self_type(USER_COLLECTION).params == ("Doc", "NullDoc")


def test_an_index_method_takes_its_terms_then_an_optional_range() -> None:
    scheme = parse_signature(index_method_signature("Doc", 2))
    assert [accepts(scheme.body, n) for n in range(5)] == [False, False, True, True, False]
    assert isinstance(scheme.body, f.IntersectionType)
    with_range = scheme.body.members[1]
    assert isinstance(with_range, f.FunctionType)
    assert [label for label, _ in with_range.params] == ["term1", "term2", "range"]


def test_a_collection_tables_dynamic_members_have_signatures(engine: Engine) -> None:
    """The per-collection table adds ``definition`` and one method per index; both come with
    their types, like every other member."""
    seen: list[TypeTable] = []
    extensions = faunalite.model.collections.COLLECTION_TABLE_EXTENSIONS
    extensions.append(lambda session, name, table: seen.append(table))
    try:
        for query in (
            'Collection.create({ name: "Books", indexes: { byAuthor: '
            '{ terms: [{ field: "author" }] } } })',
            'Books.byAuthor("x").count()',
        ):
            body = parse_query_body(json.dumps({"query": query}).encode())
            result = engine.run(
                QueryRequest(body=body, timeout_ms=5000, received_at=time.monotonic())
            )
            assert result.status == 200, result.body
    finally:
        extensions.pop()
    table = next(table for table in seen if "byAuthor" in table.methods)
    assert member_signature(table, "definition") == parse_signature("CollectionDef")
    index = table.methods["byAuthor"]
    assert index.arity is not None
    assert all(accepts(function_signature(index).body, n) for n in index.arity)


# -- the parser ----------------------------------------------------------------------------------


def test_a_signature_that_is_not_a_type_is_refused() -> None:
    with pytest.raises(SignatureError, match="invalid stdlib signature"):
        parse_signature("(x: Number) =>")
    with pytest.raises(SignatureError):
        parse_signature("<A (x: A) => A")
    with pytest.raises(SignatureError):
        parse_signature("Number String")


def test_parsed_signatures_are_cached() -> None:
    text = "<A> (value: A) => A"
    assert parse_signature(text) is parse_signature(text)


def test_a_member_cannot_be_registered_without_its_type() -> None:
    table = TypeTable("Scratch")
    with pytest.raises(TypeError):
        table.method("m", 0)(lambda ctx, receiver: None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        table.field("f")(lambda receiver: None)  # type: ignore[call-arg]
    assert table.methods == {} and table.fields == {}
