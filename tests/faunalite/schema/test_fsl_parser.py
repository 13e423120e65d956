"""The FSL parser: what each declaration becomes, and FaunaDB's schema errors with positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.fql import ast
from faunalite.schema import SchemaError, parse_fsl, parse_schema, print_fsl
from faunalite.schema import fsl_ast as f


def only(text: str) -> f.Item:
    items = parse_fsl(text).items
    assert len(items) == 1
    return items[0]


def errors(text: str | dict[str, str]) -> list[str]:
    """The message of each problem, with its ``file:line:column``."""
    with pytest.raises(SchemaError) as caught:
        if isinstance(text, str):
            parse_fsl(text)
        else:
            parse_schema(text)
    found = []
    for diagnostic in caught.value.diagnostics:
        span = diagnostic.span
        line = span.source.text.count("\n", 0, span.start) + 1
        column = span.start - (span.source.text.rfind("\n", 0, span.start) + 1) + 1
        found.append(f"{span.source.name}:{line}:{column}: {diagnostic.message}")
    return found


# -- collections --------------------------------------------------------------------------------


def test_collection_fields_and_their_types() -> None:
    collection = only(
        """
collection User {
  name: String
  email: String? = "a@b.c"
  tags: Array<String> = []
  address: { street: String, city: String = "NYC", *: Any }
  kind: "a" | "b" | 1 | null
  owner: Ref<User> | Null
  *: Any
  compute upper: String = (doc => doc.name.toUpperCase())
  compute bare = doc => doc.name
}
"""
    )
    assert isinstance(collection, f.Collection)
    assert collection.name == f.Name("User")
    fields = collection.fields
    assert fields[0] == f.DefinedField(f.Name("name"), f.NamedType("String"))
    assert fields[1] == f.DefinedField(
        f.Name("email"), f.NullableType(f.NamedType("String")), f.FQLExpr('"a@b.c"')
    )
    assert fields[2] == f.DefinedField(
        f.Name("tags"), f.AppliedType("Array", (f.NamedType("String"),)), f.FQLExpr("[]")
    )
    assert fields[3] == f.DefinedField(
        f.Name("address"),
        f.ObjectType(
            (
                f.ObjectTypeField("street", f.NamedType("String")),
                f.ObjectTypeField("city", f.NamedType("String"), f.FQLExpr('"NYC"')),
            ),
            f.NamedType("Any"),
        ),
    )
    assert fields[4] == f.DefinedField(
        f.Name("kind"),
        f.UnionType(
            (f.LiteralType("a"), f.LiteralType("b"), f.LiteralType(1), f.LiteralType(None))
        ),
    )
    assert fields[6] == f.WildcardField(f.NamedType("Any"))
    computed = fields[7]
    assert isinstance(computed, f.ComputedField)
    assert computed.body.text == "doc => doc.name.toUpperCase()"
    assert isinstance(computed.body.node, ast.Lambda)
    assert fields[8] == f.ComputedField(f.Name("bare"), None, f.FQLExpr("doc => doc.name"))


def test_collection_members() -> None:
    collection = only(
        """
@alias(People)
collection Person {
  index byName {
    terms [.name, mva(.tags)]
    values [desc(.age), mva(.tags), asc(.a.b), desc(mva(.c)), .["odd key"], .x[0]]
  }
  index empty {}
  unique [.email]
  check adult ((doc) => doc.age >= 18)
  history_days 30
  ttl_days 7
  document_ttls false
  migrations {
    add .age
    backfill .age = 0
    drop .old
    split .a -> .b, .c
    move .c -> .d
    move_conflicts .conflicts
    move_wildcard .rest
    add_wildcard
  }
}
"""
    )
    assert isinstance(collection, f.Collection)
    assert collection.alias == f.Name("People")
    index = collection.indexes[0]
    assert index.terms == (
        f.IndexTerm(f.FieldPath(("name",))),
        f.IndexTerm(f.FieldPath(("tags",)), mva=True),
    )
    assert index.values == (
        f.IndexValue(f.FieldPath(("age",)), ascending=False),
        f.IndexValue(f.FieldPath(("tags",)), mva=True),
        f.IndexValue(f.FieldPath(("a", "b"))),
        f.IndexValue(f.FieldPath(("c",)), mva=True, ascending=False),
        f.IndexValue(f.FieldPath(("odd key",))),
        f.IndexValue(f.FieldPath(("x", 0))),
    )
    assert collection.indexes[1] == f.Index(f.Name("empty"))
    assert collection.uniques == (f.Unique((f.IndexTerm(f.FieldPath(("email",))),)),)
    assert collection.checks == (f.Check(f.Name("adult"), f.FQLExpr("(doc) => doc.age >= 18")),)
    assert (collection.history_days, collection.ttl_days, collection.document_ttls) == (
        30,
        7,
        False,
    )
    assert collection.migrations is not None
    kinds = [migration.kind for migration in collection.migrations]
    assert kinds == [
        "add",
        "backfill",
        "drop",
        "split",
        "move",
        "move_conflicts",
        "move_wildcard",
        "add_wildcard",
    ]
    assert collection.migrations[1].value == f.FQLExpr("0")
    assert collection.migrations[3].targets == (f.FieldPath(("b",)), f.FieldPath(("c",)))


def test_field_names_may_be_member_keywords_and_quoted() -> None:
    collection = only('collection C {\n  index: Int\n  "history_days": String\n  compute: Int\n}')
    assert isinstance(collection, f.Collection)
    assert [
        field.name.text for field in collection.fields if isinstance(field, f.DefinedField)
    ] == [
        "index",
        "history_days",
        "compute",
    ]


def test_items_separated_by_semicolons_and_comments() -> None:
    schema = parse_fsl("// users\ncollection A {}; collection B { history_days 0 }\n/* x */")
    assert [item.name.text for item in schema.items] == ["A", "B"]


def test_doc_comments_belong_to_the_item_they_run_up_to() -> None:
    text = (
        "// header\n\n// The users.\n// Second line.\n@alias(U)\ncollection User {}\n"
        "/* fn */\nfunction f() { 1 }; role R {}"
    )
    user, function, role = parse_fsl(text).items
    assert user.doc == "// The users.\n// Second line."
    assert user.span is not None
    assert text[user.span.start : user.span.end].startswith("// The users.\n")
    assert text[user.span.start : user.span.end].endswith("collection User {}")
    assert function.doc == "/* fn */"
    assert role.doc is None


def test_items_need_a_separator() -> None:
    assert errors("collection A {} collection B {}") == ["main.fsl:1:17: Expected end-of-input"]


def test_legacy_quoted_names() -> None:
    collection = only("collection 'my-coll' {}")
    assert collection.name.text == "my-coll"


# -- functions, roles, access providers --------------------------------------------------------------


def test_function_signature_and_body() -> None:
    function = only(
        "@alias(sum)\n@role(admin)\nfunction add(x: Int, ...ys: Array<Int>): Int {\n  x + 1\n}"
    )
    assert isinstance(function, f.Function)
    assert function.arguments == (
        f.Argument(f.Name("x"), f.NamedType("Int")),
        f.Argument(f.Name("ys"), f.AppliedType("Array", (f.NamedType("Int"),)), variadic=True),
    )
    assert function.result == f.NamedType("Int")
    assert function.body.text == "{\n  x + 1\n}"
    assert isinstance(function.body.node, ast.Block)
    assert (function.alias, function.role) == (f.Name("sum"), f.Name("admin"))


def test_function_types() -> None:
    function = only(
        "function f(g: (Int, String) => Boolean, h: Int => Int): [Int, { a: Int, ... }] { 1 }"
    )
    assert isinstance(function, f.Function)
    assert function.arguments[0].type == f.FunctionType(
        ((None, f.NamedType("Int")), (None, f.NamedType("String"))), None, f.NamedType("Boolean")
    )
    assert function.arguments[1].type == f.FunctionType(
        ((None, f.NamedType("Int")),), None, f.NamedType("Int")
    )
    assert function.result == f.TupleType(
        (
            f.NamedType("Int"),
            f.ObjectType((f.ObjectTypeField("a", f.NamedType("Int")),), interface=True),
        )
    )


def test_role() -> None:
    role = only(
        """
role manager {
  privileges User {
    read
    write { predicate ((old, new) => old.owner == new.owner) }
  }
  privileges add { call }
  membership User { predicate (doc => doc.admin) }
  membership Staff
}
"""
    )
    assert role == f.Role(
        f.Name("manager"),
        (
            f.Privileges(
                f.Name("User"),
                (
                    f.Privilege("read"),
                    f.Privilege("write", f.FQLExpr("(old, new) => old.owner == new.owner")),
                ),
            ),
            f.Privileges(f.Name("add"), (f.Privilege("call"),)),
        ),
        (
            f.Membership(f.Name("User"), f.FQLExpr("doc => doc.admin")),
            f.Membership(f.Name("Staff")),
        ),
    )


def test_access_provider() -> None:
    provider = only(
        """
access provider auth0 {
  issuer "https://example.auth0.com/"
  jwks_uri "https://example.auth0.com/.well-known/jwks.json"
  role customer
  role manager { predicate (jwt => jwt!.scope.includes("manager")) }
}
"""
    )
    assert provider == f.AccessProvider(
        f.Name("auth0"),
        "https://example.auth0.com/",
        "https://example.auth0.com/.well-known/jwks.json",
        (
            f.ProviderRole(f.Name("customer")),
            f.ProviderRole(f.Name("manager"), f.FQLExpr('jwt => jwt!.scope.includes("manager")')),
        ),
    )


def test_fql_spans_point_into_the_schema_file() -> None:
    text = "collection C {\n  compute x = (doc => doc.a)\n}"
    collection = only(text)
    assert isinstance(collection, f.Collection)
    field = collection.fields[0]
    assert isinstance(field, f.ComputedField) and field.body.span is not None
    assert field.body.span.source.name == "main.fsl"
    assert text[field.body.span.start : field.body.span.end] == "doc => doc.a"


# -- errors ---------------------------------------------------------------------------------------------

ERRORS = [
    ("collection C {\n  colour String\n}", ["main.fsl:2:3: Invalid field or member `colour`"]),
    ("collection C {\n  id: String\n}", ["main.fsl:2:3: Invalid reserved name `id`"]),
    ("colection C {}", ["main.fsl:1:1: Invalid schema item `colection`"]),
    ("collection {}", ["main.fsl:1:1: Missing required name"]),
    (
        "collection C {\n  a: Int\n  a: String\n}",
        ["main.fsl:3:3: Duplicate field `a`"],
    ),
    ("collection C {\n  a = 1\n}", ["main.fsl:2:3: Expected a type signature"]),
    ("collection C {\n  *: Any = 1\n}", ["main.fsl:2:12: No default allowed for wildcard field"]),
    ("collection C {\n  compute x = 3\n}", ["main.fsl:2:15: Expected lambda"]),
    ("collection C {\n  compute x: Int\n}", ["main.fsl:2:3: Computed fields require a value"]),
    (
        "collection C {\n  index i { terms [foo(.a)] }\n}",
        ["main.fsl:2:20: Expected 'mva'"],
    ),
    (
        "collection C {\n  index i { values [up(.a)] }\n}",
        ["main.fsl:2:21: Expected 'asc', 'desc', or 'mva'"],
    ),
    (
        "collection C {\n  index i { terms [.a]; terms [.b] }\n}",
        ["main.fsl:2:25: Duplicate terms definition"],
    ),
    (
        "collection C {\n  index i { term [.a] }\n}",
        ["main.fsl:2:13: Invalid member `term`"],
    ),
    (
        "collection C {\n  unique []\n}",
        ["main.fsl:2:10: Expected non-empty terms for a unique constraint"],
    ),
    (
        "collection C {\n  unique [.a]\n  unique [.a]\n}",
        ["main.fsl:3:10: Duplicate unique constraint."],
    ),
    (
        "collection C {\n  check c doc => true\n}",
        ["main.fsl:2:11: Expected lambda check predicate"],
    ),
    ("collection C {\n  check c (1)\n}", ["main.fsl:2:11: Expected lambda check predicate"]),
    ('collection C {\n  history_days "x"\n}', ["main.fsl:2:16: Expected integer literal"]),
    ("collection C {\n  document_ttls 1\n}", ["main.fsl:2:17: Expected boolean literal"]),
    (
        "collection C {\n  migrations {}\n}",
        ["main.fsl:2:3: Empty migration blocks are not allowed"],
    ),
    (
        "collection C {\n  migrations { split .a -> .b }\n}",
        ["main.fsl:2:16: Expected at least two fields to split into"],
    ),
    (
        "collection C {\n  migrations { rename .a }\n}",
        ["main.fsl:2:16: Expected a migration"],
    ),
    (
        "collection C {\n  migrations { drop .a[0] }\n}",
        ["main.fsl:2:21: Cannot index into an item in a migration path"],
    ),
    ("@role(admin)\ncollection C {}", ["main.fsl:1:1: Annotation not supported here"]),
    ("@alias(r)\nrole R {}", ["main.fsl:1:1: Annotations are not allowed here"]),
    (
        "@alias(a)\n@alias(b)\ncollection C {}",
        ["main.fsl:2:1: Duplicate annotation `alias`"],
    ),
    (
        "function f(x: Int, y) { x }",
        [
            "main.fsl:1:20: All or no arguments must have a type",
            "main.fsl:1:21: Return type is required when arguments have a type",
        ],
    ),
    (
        "function f(x): Int { x }",
        ["main.fsl:1:16: Return type is not allowed when arguments do not have a type"],
    ),
    (
        "function f(...x, y) { x }",
        ["main.fsl:1:18: Variadic argument must be the last argument."],
    ),
    ("role R {\n  privileges C { reed }\n}", ["main.fsl:2:18: Invalid action `reed`"]),
    (
        "role R {\n  membership C { predicate (1) }\n}",
        ["main.fsl:2:28: Expected lambda predicate"],
    ),
    (
        "role R {\n  membership C { check (x => x) }\n}",
        ["main.fsl:2:18: Expecting a predicate"],
    ),
    (
        'access provider P {\n  issuer "i"\n}',
        ["main.fsl:1:19: Missing jwks uri"],
    ),
    (
        "access provider P {\n  issuer \"#{1}\"\n  jwks_uri 'j'\n}",
        ["main.fsl:2:13: Cannot interpolate values in a string literal"],
    ),
    ("collection C {\n  a: Int\n", ["main.fsl:3:1: Expected `}`"]),
    ("collection C {\n  a: Int = 1 +\n}", ["main.fsl:3:1: Expected expression"]),
    ("collection C {\n  a: Array<Int\n}", ["main.fsl:3:1: Expected `,` or `>`"]),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_duplicate_settings_point_at_the_whole_member() -> None:
    assert errors("collection C {\n  history_days 42\n  history_days 24\n}") == [
        "main.fsl:3:3: Duplicate history days"
    ]
    with pytest.raises(SchemaError) as caught:
        parse_fsl("collection C {\n  ttl_days 42\n  ttl_days 24\n}")
    span = caught.value.diagnostics[0].span
    assert span.source.text[span.start : span.end] == "ttl_days 24"


def test_reserved_names_point_at_the_whole_field() -> None:
    assert errors("collection C {\n  update: Int\n}") == [
        "main.fsl:2:3: Invalid reserved name `update`"
    ]
    with pytest.raises(SchemaError) as caught:
        parse_fsl("collection C {\n  compute ts = (doc => 1)\n}")
    span = caught.value.diagnostics[0].span
    assert span.source.text[span.start : span.end] == "compute ts = (doc => 1)"


def test_migrations_take_no_name() -> None:
    assert errors('collection C {\n  migrations "named" {\n    add .a\n  }\n}') == [
        "main.fsl:2:14: Name is not allowed here"
    ]


def test_multiline_expressions_are_kept_relative_to_their_line() -> None:
    collection = only("collection C {\n  a: Int = {\n    let x = 1\n    x\n  }\n}")
    assert isinstance(collection, f.Collection)
    field = collection.fields[0]
    assert isinstance(field, f.DefinedField) and field.default is not None
    assert field.default.text == "{\n  let x = 1\n  x\n}"


def test_problems_of_meaning_are_all_reported() -> None:
    assert errors("collection C {\n  id: Int\n  ts: Int\n  foo\n}") == [
        "main.fsl:2:3: Invalid reserved name `id`",
        "main.fsl:3:3: Invalid reserved name `ts`",
        "main.fsl:4:3: Invalid field or member `foo`",
    ]


def test_names_are_checked_across_files() -> None:
    files = {
        "main.fsl": "collection User {}",
        "functions/user.fsl": "function User() { 1 }\nrole R {}",
        "roles.fsl": "role R {}",
    }
    assert errors(files) == [
        "functions/user.fsl:1:10: Duplicate collection or function `User`",
        "roles.fsl:1:6: Duplicate role `R`",
    ]


def test_function_may_share_a_collection_name_when_it_has_an_alias() -> None:
    schema = parse_schema({"main.fsl": "collection User {}\n@alias(UserFn)\nfunction User() { 1 }"})
    assert len(schema[0].items) == 2


def test_error_message_is_faunadbs_rendering() -> None:
    with pytest.raises(SchemaError) as caught:
        parse_fsl("collection C {\n  colour String\n}", "schema/users.fsl")
    assert caught.value.message == (
        "error: Invalid field or member `colour`\n"
        "at schema/users.fsl:2:3\n"
        "  |\n"
        "2 |   colour String\n"
        "  |   ^^^^^^\n"
        "  |"
    )


# -- robustness ----------------------------------------------------------------------------------

_SAMPLE = """\
@alias(Users)
collection User {
  name: String = "x"
  compute upper = (doc => doc.name)
  index byName { terms [.name, mva(.tags)]; values [desc(.age)] }
  unique [.email]
  check c ((doc) => true)
  migrations { split .a -> .b, .c }
}
function f(x: Int): Int { x }
role r { privileges User { read { predicate (doc => true) } } }
access provider p { issuer "i"; jwks_uri "j"; role r }
"""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_SAMPLE) - 1),
            st.integers(0, 3),
            st.sampled_from(list("{}()[]<>.,:;=|?*@\"'\n #/-!0a_")),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_edit_of_a_schema_parses_or_is_a_schema_error(
    edits: list[tuple[int, int, str]],
) -> None:
    text = list(_SAMPLE)
    for position, deleted, inserted in edits:
        position = min(position, len(text))
        text[position : position + deleted] = [inserted]
    source = "".join(text)
    try:
        parsed = parse_fsl(source)
    except SchemaError as error:
        assert error.diagnostics and error.message.startswith("error: ")
        return
    assert parse_fsl(print_fsl(parsed)) == parsed


def test_a_bare_name_stops_at_an_apostrophe() -> None:
    # FQL identifiers may hold `'` after their first character; FSL names may not, so the
    # printer's quoted form of such a name would not read back (found by the edit property).
    with pytest.raises(SchemaError, match=r"Expected `\{`"):
        parse_fsl("role R {\n  privileges U'ser {\n    read\n  }\n}\n")
