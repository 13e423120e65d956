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
    assert semantic.startswith(
        "* Modifying collection `User` at app/user.fsl:1:1:\n  + fields `age`\n"
    )


def test_textual_is_a_unified_diff_of_the_files() -> None:
    text = render_diff([], {"main.fsl": "a\nb\n"}, {"main.fsl": "a\nc\n", "x.fsl": "d"}, "textual")
    assert "--- main.fsl\n+++ main.fsl\n" in text
    assert "-b\n+c\n" in text
    assert "+d\n" in text
    assert render_diff([], {"main.fsl": "a"}, {"main.fsl": "a"}, "textual") == ""
