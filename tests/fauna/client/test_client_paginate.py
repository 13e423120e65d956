"""Client.paginate over a Query or a Page found in a result."""

from __future__ import annotations

import json

import pytest
from fauna_fakes import FakeFauna, query_success

from fauna import fql
from fauna.client import Client, QueryOptions
from fauna.query import Page


def ints(*values: int) -> list[dict[str, str]]:
    return [{"@int": str(v)} for v in values]


def test_paginate_query_follows_after_cursors(client: Client, fake: FakeFauna) -> None:
    fake.query(
        query_success({"@set": {"data": ints(1, 2), "after": "cur1"}}),
        query_success({"data": ints(3, 4), "after": "cur2"}),
        query_success({"data": ints(5)}),
    )
    pages = list(client.paginate(fql("Nums.all()"), QueryOptions(linearized=True)))
    assert pages == [[1, 2], [3, 4], [5]]
    bodies = fake.bodies("/query/1")
    assert bodies[1]["query"] == {"fql": ["Set.paginate(", {"value": "cur1"}, ")"]}
    assert bodies[2]["query"] == {"fql": ["Set.paginate(", {"value": "cur2"}, ")"]}
    assert all(r.headers["X-Linearized"] == "true" for r in fake.sent())


def test_paginate_is_lazy_and_flattens(client: Client, fake: FakeFauna) -> None:
    iterator = client.paginate(fql("Nums.all()"))
    assert fake.sent() == []
    fake.query(
        query_success({"@set": {"data": ints(1), "after": "c"}}),
        query_success({"data": ints(2, 3)}),
    )
    assert list(iterator.flatten()) == [1, 2, 3]


def test_non_set_result_is_one_page(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success(ints(0, 1, 2)))
    assert list(client.paginate(fql("[0,1,2]"))) == [[[0, 1, 2]]]


def test_paginate_from_page_in_result(client: Client, fake: FakeFauna) -> None:
    fake.query(
        query_success({"users": {"@set": {"data": ints(1, 2), "after": "next"}}}),
        query_success({"data": ints(3)}),
    )
    page = client.query(fql("{ users: User.all() }")).data["users"]
    assert isinstance(page, Page)
    assert list(client.paginate(page).flatten()) == [1, 2, 3]
    assert json.loads(fake.sent()[1].content)["query"]["fql"][1] == {"value": "next"}


def test_paginate_bare_cursor_page(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success({"data": ints(7)}))
    assert list(client.paginate(Page(after="deep")).flatten()) == [7]


def test_paginate_rejects_other_types(client: Client) -> None:
    with pytest.raises(TypeError, match="'fql' must be a Query"):
        client.paginate("Nums.all()")  # type: ignore[arg-type]
