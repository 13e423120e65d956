"""What a schema push changes (``schema_changes``) and how the diff endpoints render it."""

from __future__ import annotations

from faunalite.schema import fsl_ast as f
from faunalite.schema import parse_fsl
from faunalite.schema.fsl_diff import render_diff, schema_changes


def items(text: str, filename: str = "main.fsl") -> list[f.Item]:
    return list(parse_fsl(text, filename).items)


CURRENT = items(
    "collection User {\n  name: String\n}\n\n"
    "function hello() {\n  1\n}\n\n"
    "role reader {\n  privileges User {\n    read\n  }\n}\n"
)


def test_unchanged_items_are_no_change() -> None:
    assert schema_changes(CURRENT, CURRENT) == []


def test_creates_and_updates_go_collections_first_deletes_roles_first() -> None:
    proposed = items(
        "role admin2 {\n  privileges Post {\n    read\n  }\n}\n\n"
        "collection Post {}\n\n"
        "collection User {\n  name: String\n  age: Int?\n}\n"
    )
    changes = schema_changes(CURRENT, proposed)
    assert [(c.action, c.kind, c.name) for c in changes] == [
        ("create", "collection", "Post"),
        ("update", "collection", "User"),
        ("create", "role", "admin2"),
        ("delete", "role", "reader"),
        ("delete", "function", "hello"),
    ]
    update = changes[1]
    assert update.before is not None and "age" not in update.before["fields"]
    assert update.after is not None and "age" in update.after["fields"]
    assert changes[3].after is None


def test_a_rename_is_a_delete_and_a_create() -> None:
    proposed = items("collection Person {\n  name: String\n}\n")
    actions = {(c.action, c.name) for c in schema_changes(CURRENT[:1], proposed)}
    assert actions == {("create", "Person"), ("delete", "User")}


def test_summary_and_semantic_name_each_item_and_where_it_is() -> None:
    proposed = items("collection User {\n  name: String\n  age: Int?\n}\n", "app/user.fsl")
    changes = schema_changes(CURRENT, proposed)
    assert render_diff(changes, {}, {}, "summary") == (
        "* Modifying collection `User` at app/user.fsl:1:1\n"
        "* Removing role `reader` from main.fsl:9:1\n"
        "* Removing function `hello` from main.fsl:5:1\n"
    )
    semantic = render_diff(changes, {}, {}, "semantic")
    # A new defined field is no semantic change of its own (FaunaDB shows migrations only).
    assert semantic.startswith(
        "* Modifying collection `User` at app/user.fsl:1:1:\n  No semantic changes.\n\n"
    )


def textual(before: dict[str, str], after: dict[str, str]) -> str:
    return render_diff([], before, after, "textual")


def fields(*names: str) -> str:
    return "collection Foo {\n" + "".join(f"  {name}: String\n" for name in names) + "}\n"


# FaunaDB's expectations (its SchemaDiffTextSpec and SchemaEndpointSpec, DiffRender.renderTextual).


def test_textual_hunks_are_numbered_in_the_new_file() -> None:
    before = fields(*"abcdefghijk")
    after = fields("a", "b", "c", "d", "foo", "f", "bar", "h", "i", "j", "k")
    assert textual({"main.fsl": before}, {"main.fsl": after}) == (
        "main.fsl\n"
        "@ line 3 to 11\n"
        "    b: String\n"
        "    c: String\n"
        "    d: String\n"
        "-   e: String\n"
        "+   foo: String\n"
        "    f: String\n"
        "-   g: String\n"
        "+   bar: String\n"
        "    h: String\n"
        "    i: String\n"
        "    j: String\n"
    )
    removed = textual({"main.fsl": fields(*"abcdefghi")}, {"main.fsl": fields(*"abdefghi")})
    assert removed.splitlines()[:6] == [
        "main.fsl",
        "@ line 1 to 6",
        "  collection Foo {",
        "    a: String",
        "    b: String",
        "-   c: String",
    ]


def test_textual_separates_far_apart_hunks_and_files() -> None:
    before = fields("a", "foo", "c", "d", "e", "f", "g", "h", "i", "bar", "k")
    after = fields(*"abcdefghijk")
    lines = textual({"main.fsl": before}, {"main.fsl": after}).splitlines()
    assert [line for line in lines if line.startswith("@")] == ["@ line 1 to 6", "@ line 8 to 13"]
    assert textual(
        {"foo.fsl": "function double(x) { x * 2 }", "baaz.fsl": "function id(x) { x }"},
        {"foo.fsl": "function double(x) { x + x }", "bar.fsl": "function incr(x) { x + 1 }"},
    ) == (
        "baaz.fsl\n"
        "@ line 1 to 1\n"
        "- function id(x) { x }\n"
        "\n"
        "bar.fsl\n"
        "@ line 1 to 1\n"
        "+ function incr(x) { x + 1 }\n"
        "\n"
        "foo.fsl\n"
        "@ line 1 to 1\n"
        "- function double(x) { x * 2 }\n"
        "+ function double(x) { x + x }\n"
    )
    assert textual({"main.fsl": "a"}, {"main.fsl": "a"}) == ""


def semantic(before: str, after: str) -> str:
    return render_diff(schema_changes(items(before), items(after)), {}, {}, "semantic")


# The expectations below are FaunaDB's (its SchemaDiffSpec for DiffRender.renderSemantic).


def test_semantic_additions_and_removals() -> None:
    assert semantic("", "collection Foo {\n}\n") == "* Adding collection `Foo` to main.fsl:1:1\n\n"
    assert semantic("collection Foo {\n}\n", "") == (
        "* Removing collection `Foo` from main.fsl:1:1\n\n"
    )
    assert semantic("", "collection P {\n  name: String\n}\n") == (
        "* Adding collection `P` to main.fsl:1:1:\n  No semantic changes.\n\n"
    )


def test_semantic_configuration() -> None:
    foo = "collection Foo {\n}\n"
    assert semantic(foo, "@alias(Bar)\ncollection Foo {\n}\n") == (
        "* Modifying collection `Foo` at main.fsl:1:1:\n"
        "  * Configuration:\n"
        "  + add alias set to Bar\n\n"
    )
    days = "collection Foo {\n  history_days 42\n}\n"
    assert semantic(days, foo).endswith("  - remove history_days set to 42\n\n")
    zero = "collection Foo {\n  history_days 0\n}\n"
    assert semantic(zero, days).endswith("  ~ change history_days from 0 to 42\n\n")
    assert semantic(zero, foo) == ""
    defaulted = 'collection Foo {\n  foo: String = ""\n}\n'
    assert semantic(defaulted, "collection Foo {\n  foo: String\n}\n").endswith(
        "  * Configuration:\n  - remove default value from field `.foo`\n\n"
    )


def test_semantic_constraints_and_indexes() -> None:
    assert semantic(
        "collection Foo {\n  unique [.bar]\n}\n", "collection Foo {\n  unique [.bar, .baz]\n}\n"
    ) == (
        "* Modifying collection `Foo` at main.fsl:1:1:\n"
        "  * Constraints:\n"
        "  + add unique constraint on [.bar, .baz]\n"
        "  - remove unique constraint on [.bar]\n\n"
    )
    before = (
        "collection Foo {\n  index byBar {\n    terms [.bar]\n    values [.bar, .baz]\n  }\n}\n"
    )
    after = before.replace("terms [.bar]", "terms [.bar, .baz]")
    assert semantic(before, after) == (
        "* Modifying collection `Foo` at main.fsl:1:1:\n"
        "  * Indexes:\n"
        "  ~ change index `byBar`\n"
        "    ~ change terms from [.bar] to [.bar, .baz]\n\n"
    )


def test_semantic_multiple_sections() -> None:
    before = (
        "collection Foo {\n  history_days 10\n  index byBar {\n    terms [.bar]\n  }\n"
        "  check ok ((doc) => doc.ok)\n  check cool ((doc) => doc.colo)\n}\n\n"
        "function double(n) {\n  2 * n\n}\n"
    )
    after = (
        "@alias(Bar)\ncollection Foo {\n  compute floof: Int = ((doc) => 1)\n"
        "  index byBuz {\n    terms [.bar]\n  }\n  unique [mva(.bar)]\n"
        "  check notok ((doc) => !doc.ok)\n  check cool ((doc) => doc.cool)\n"
        "  history_days 0\n  ttl_days 10\n}\n\n"
        "function double(a) {\n  a * 2\n}\n"
    )
    assert semantic(before, after) == (
        "* Modifying collection `Foo` at main.fsl:1:1:\n"
        "  * Computed fields:\n"
        "  + add computed field `floof`\n"
        "\n"
        "  * Indexes:\n"
        "  + add index `byBuz`\n"
        "  - remove index `byBar`\n"
        "\n"
        "  * Constraints:\n"
        "  + add unique constraint on [mva(.bar)]\n"
        "  + add check constraint `notok`\n"
        "  - remove check constraint `ok`\n"
        "  ~ change check constraint `cool` body\n"
        "\n"
        "  * Configuration:\n"
        "  + add alias set to Bar\n"
        "  + add ttl_days set to 10\n"
        "  ~ change history_days from 10 to 0\n"
        "\n"
        "* Modifying function `double` at main.fsl:14:1:\n"
        "  ~ change signature\n"
        "  ~ change body\n"
        "\n"
    )


def test_semantic_roles() -> None:
    assert semantic(
        "role Foo {\n  membership Bar\n}\n",
        "role Foo {\n  membership Bar {\n    predicate ((x) => x.baz)\n  }\n}\n",
    ) == (
        "* Modifying role `Foo` at main.fsl:1:1:\n"
        "  ~ change membership on `Bar` by adding a predicate\n\n"
    )
    before = (
        "role Foo {\n  privileges Bar {\n    read\n    write\n"
        "    create {\n      predicate ((x) => x.fizz)\n    }\n"
        "    history_read {\n      predicate ((x) => x.buzz)\n    }\n  }\n}\n"
    )
    after = (
        "role Foo {\n  privileges Bar {\n    write {\n      predicate ((x) => x.fizz)\n    }\n"
        "    create\n    history_read {\n      predicate ((x) => x.somethingelse)\n    }\n"
        "    read\n  }\n}\n"
    )
    assert semantic(before, after) == (
        "* Modifying role `Foo` at main.fsl:1:1:\n"
        "  ~ change privileges on `Bar`\n"
        "    ~ change write by adding a predicate\n"
        "    ~ change create by removing a predicate\n"
        "    ~ change history_read by modifying its predicate\n"
        "\n"
    )
