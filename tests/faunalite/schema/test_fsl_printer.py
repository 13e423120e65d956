"""The FSL printer: FaunaDB's canonical layout, and ``parse(print(x)) == x`` for every construct."""

from __future__ import annotations

import pytest
from fsl_strategies import schemas
from hypothesis import given, settings

from faunalite.schema import fsl_ast as f
from faunalite.schema import parse_fsl, print_fsl
from faunalite.schema.fsl_printer import type_text

CANONICAL = [
    """\
@alias(People)
collection Person {
  name: String
  email: String? = "a@b.c"
  address: { street: String, city: String = "NYC", *: Any }
  *: Any
  compute upper: String = doc => doc.name.toUpperCase()
  index byName {
    terms [.name, mva(.tags)]
    values [desc(.age), mva(.tags), .["odd key"], .x[0]]
  }
  unique [.email]
  check adult ((doc) => doc.age >= 18)
  history_days 30
  ttl_days 7
  document_ttls true
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
""",
    """\
@alias(sum)
@role(admin)
function add(x: Int, ...ys: Array<Int>): Int {
  x + ys.length
}
""",
    """\
role manager {
  privileges User {
    read
    write {
      predicate ((old, new) => old.owner == new.owner)
    }
  }
  membership User {
    predicate (doc => doc.admin)
  }
  membership Staff
}
""",
    """\
access provider auth0 {
  issuer "https://example.auth0.com/"
  jwks_uri "https://example.auth0.com/.well-known/jwks.json"
  role customer
  role manager {
    predicate (jwt => jwt!.scope.includes("manager"))
  }
}
""",
    """\
collection "my-coll" {
}
""",
]


# Round trips from FaunaDB's FSLParserSpec: these print exactly as written.
CANONICAL += [
    "collection Foo {\n  index byBar {\n    terms [.bar, mva(.baz)]\n    values [desc(mva(.buz))]\n"
    "  }\n}\n",
    'collection Foo {\n  compute bar: String = (doc) => doc.baaz + "quux"\n}\n',
    "collection Foo {\n  foo: Int\n  bar: Int = 2 + 3\n  baz: Int = Time.now().month + 3\n"
    "  multiline: Int = {\n    let a = 2\n    let b = 3\n    a + b\n  }\n}\n",
    "collection Foo {\n  privileges: Int\n}\n",
    "collection Foo {\n  function: Int\n}\n",
    "collection Foo {\n  check a ((doc) => doc.ok)\n  check b (() => 1)\n"
    "  check c ((x, y) => {\n    let z = x + y\n    z\n  })\n}\n",
    'collection "0Foo$" {\n  index byBar {\n    terms [.[0], .["0baz"]]\n  }\n}\n',
    'collection Foo {\n  index byBar {\n    terms [.a["a b"][0], .["a b"]]\n  }\n}\n',
    "collection Foo {\n  unique [.name]\n  unique [mva(.name)]\n}\n",
    "collection Foo {\n  migrations {\n    backfill .c = 3\n    drop .bar\n    move .a -> .b\n"
    "    split .a -> .b, .c, .d, .e, .f, .g, .h\n    add .a\n  }\n}\n",
    "role Foo {\n  privileges Bar {\n    create {\n      predicate ((x) => {\n        x.isVip\n"
    "      })\n    }\n    read\n  }\n  privileges Baz {\n    read\n    write\n  }\n"
    "  membership Fiz\n  membership Buz {\n    predicate ((x) => {\n      x.canLogin\n    })\n"
    "  }\n}\n",
    'access provider Foo {\n  issuer "bar"\n  jwks_uri "baz"\n  role Fizz {\n'
    "    predicate ((x) => {\n      x.buzz\n    })\n  }\n  role AnotherRole\n}\n",
    "function foo(a, b, ...c) {\n  42\n}\n",
    "@alias(bar)\n@role(admin)\nfunction foo(a: Int, ...b: String): Int {\n"
    '  if (a < 0) "invalid" else b\n}\n',
    "collection foo {\n}\n\n@alias(bar)\nfunction foo() {\n  0\n}\n",
]

RENDERED = [
    ("collection Foo {short:Int=3}\n", "collection Foo {\n  short: Int = 3\n}\n"),
    (
        "collection Foo {\n  index byBar {\n    terms [.bar]\n    values [asc(mva(.buz))]\n  }\n}",
        "collection Foo {\n  index byBar {\n    terms [.bar]\n    values [mva(.buz)]\n  }\n}\n",
    ),
    (
        "collection Foo {\n  bar: (Int, String)\n  baz: (\n    Int,\n    String\n  )\n"
        "  opt: Int?\n  many: Int? | String\n}\n",
        "collection Foo {\n  bar: [Int, String]\n  baz: [Int, String]\n  opt: Int?\n"
        "  many: Int? | String\n}\n",
    ),
    (
        "collection '0Foo$' {\n  index byBar {\n    terms [.[0], .['0baz']]\n  }\n}\n",
        'collection "0Foo$" {\n  index byBar {\n    terms [.[0], .["0baz"]]\n  }\n}\n',
    ),
    (
        "role Foo {\n  privileges Bar {\n    create; delete; read;\n    call\n  }\n}\n",
        "role Foo {\n  privileges Bar {\n    create\n    delete\n    read\n    call\n  }\n}\n",
    ),
    (
        'access provider Foo {\n  issuer "bar";  jwks_uri "baz"\n}\n',
        'access provider Foo {\n  issuer "bar"\n  jwks_uri "baz"\n}\n',
    ),
    (
        "@alias(bar) @role(admin)\nfunction foo(a: Int): Int { 42 }\n",
        "@alias(bar)\n@role(admin)\nfunction foo(a: Int): Int { 42 }\n",
    ),
]


@pytest.mark.parametrize(("text", "printed"), RENDERED)
def test_text_prints_in_canonical_form(text: str, printed: str) -> None:
    assert print_fsl(parse_fsl(text)) == printed
    assert print_fsl(parse_fsl(printed)) == printed


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_prints_as_itself(text: str) -> None:
    assert print_fsl(parse_fsl(text)) == text


def test_members_print_in_faunadbs_order() -> None:
    text = "collection C {\n  migrations { add .a }\n  history_days 1\n  check c (x => true)\n"
    text += "  unique [.a]\n  index i { values [.a]; terms [.b] }\n  a: Int\n}"
    assert print_fsl(parse_fsl(text)) == (
        "collection C {\n"
        "  a: Int\n"
        "  index i {\n"
        "    terms [.b]\n"
        "    values [.a]\n"
        "  }\n"
        "  unique [.a]\n"
        "  check c (x => true)\n"
        "  history_days 1\n"
        "  migrations {\n"
        "    add .a\n"
        "  }\n"
        "}\n"
    )


def test_files_join_items_with_a_blank_line() -> None:
    assert print_fsl(parse_fsl("collection A {}\ncollection B {}")) == (
        "collection A {\n}\n\ncollection B {\n}\n"
    )


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("A|B", "A | B"),
        ("(A | B)?", "(A | B)?"),
        ("(A => B) | C", "(A => B) | C"),
        ("A & (B | C)", "A & (B | C)"),
        ("(x: Int, rest: ...String) => Int", "(x: Int, rest: ...String) => Int"),
        ("(...rest: String) => Int", "(rest: ...String) => Int"),
        ("{a:Int,*:Any}", "{ a: Int, *: Any }"),
        ("{ a: Int, ... }", "{ a: Int, ... }"),
        ("{}", "{}"),
        ("[Int,String]", "[Int, String]"),
        ("'a' | -1 | 2.5 | false", '"a" | -1 | 2.5 | false'),
        ('{ "a b": Int }', '{ "a b": Int }'),
    ],
)
def test_types_print_in_display_form(text: str, printed: str) -> None:
    collection = parse_fsl(f"collection C {{\n  x: {text}\n}}").items[0]
    assert isinstance(collection, f.Collection)
    field = collection.fields[0]
    assert isinstance(field, f.DefinedField)
    assert type_text(field.type) == printed


# -- round trip of generated trees ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(schemas())
def test_parse_of_print_is_the_tree(items: tuple[f.Item, ...]) -> None:
    text = print_fsl(items)
    assert parse_fsl(text).items == items, text
