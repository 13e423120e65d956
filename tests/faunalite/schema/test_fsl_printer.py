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
