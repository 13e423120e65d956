"""Static checks of the ``into=`` annotations: mypy runs on this file (see test_typing.py).

Never imported or run; each ``assert_type`` is a claim ``mypy --strict`` verifies.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypedDict

from typing_extensions import assert_type

from fauna import fql, from_jsonable
from fauna.client import AsyncClient, Client
from fauna.encoding import QuerySuccess, decode_into
from fauna.query import Document, Page


@dataclasses.dataclass
class Person:
    name: str
    age: int


class PersonDict(TypedDict):
    name: str


def sync_client(client: Client) -> None:
    q = fql("Person.all().first()")
    assert_type(client.query(q, into=Person), QuerySuccess[Person])
    assert_type(client.query(q, into=Person).data, Person)
    assert_type(client.query(q), QuerySuccess[Any])
    assert_type(client.query(q).data, Any)
    assert_type(client.query(q, into=list[Person]).data, list[Person])
    assert_type(client.query(q, into=dict[str, Person]).data, dict[str, Person])
    assert_type(client.query(q, into=PersonDict).data, PersonDict)
    assert_type(client.query(q, into=Document).data, Document)
    assert_type(client.query(q, into=Page[Person]).data, Page[Person])
    assert_type(client.query(q, into=Page[Person]).data.data, list[Person] | None)
    # Forms that are not classes (unions, Optional) still work, typed as Any.
    assert_type(client.query(q, into=Person | None), QuerySuccess[Any])
    for page in client.paginate(q, into=Person):
        assert_type(page, list[Person])
    for item in client.paginate(q, into=Person).flatten():
        assert_type(item, Person)
    for untyped in client.paginate(q):
        assert_type(untyped, list[Any])


async def async_client(client: AsyncClient) -> None:
    q = fql("Person.all().first()")
    assert_type(await client.query(q, into=Person), QuerySuccess[Person])
    assert_type(await client.query(q), QuerySuccess[Any])
    async for page in client.paginate(q, into=Person):
        assert_type(page, list[Person])
    async for item in client.paginate(q, into=Person).flatten():
        assert_type(item, Person)


def helpers(value: object) -> None:
    assert_type(decode_into(value, Person), Person)
    assert_type(decode_into(value, list[int]), list[int])
    assert_type(from_jsonable(value, into=Person), Person)
    assert_type(from_jsonable(value), Any)
