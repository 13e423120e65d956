"""Small FaunaDB behaviours checked through the ``fauna`` driver against a real server (issue
16): how a ``SetCursor`` displays, what ``String.parseLong`` returns, which database names are
identifiers, and what unknown paths answer."""

from __future__ import annotations

from fauna import fql
from fauna.client import Client


def test_a_set_cursor_to_string_is_the_after_token(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Product" })'))
    db.query(fql("Set.sequence(0, 3).forEach(n => Product.create({ n: n }))"))
    shown, after = db.query(
        fql("let page = Product.all().paginate(1)\n[page.after!.toString(), page.after]")
    ).data
    assert isinstance(shown, str)
    assert shown == after
    page = db.query(fql("Set.paginate(${cursor}).data.map(.n)", cursor=shown)).data
    assert page == [1]
