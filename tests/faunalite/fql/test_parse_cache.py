"""The parse cache: a repeated query text reuses its tree, and answers exactly as if parsed anew."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.fql.ast import dump
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parse_cache import ParseCache
from faunalite.fql.parser import parse_query
from faunalite.wire.request import parse_query_body


def test_a_repeated_text_gives_the_same_tree() -> None:
    cache = ParseCache()
    first = cache.parse("1 + 1")
    assert cache.parse("1 + 1") is first
    assert (cache.hits, cache.misses) == (1, 1)
    assert dump(first) == dump(parse_query("1 + 1"))


def test_the_source_name_is_part_of_the_key() -> None:
    cache = ParseCache()
    query = cache.parse("x", "*query*")
    other = cache.parse("x", "*other*")
    assert other is not query
    assert other.source.name == "*other*"


def test_a_text_that_fails_to_parse_is_not_kept_and_fails_the_same_each_time() -> None:
    cache = ParseCache()
    failures = []
    for _ in range(2):
        with pytest.raises(QueryCheckError) as caught:
            cache.parse("1 +")
        failures.append(caught.value)
    assert len(cache) == 0
    first, second = failures
    assert first is not second
    assert [(d.message, d.span) for d in first.diagnostics] == [
        (d.message, d.span) for d in second.diagnostics
    ]


def test_the_least_recently_used_text_goes_first() -> None:
    cache = ParseCache(max_entries=2)
    one = cache.parse("1")
    cache.parse("2")
    cache.parse("1")
    cache.parse("3")
    assert len(cache) == 2
    assert cache.parse("1") is one
    assert cache.misses == 3


def test_kept_text_is_bounded_in_total_and_per_text() -> None:
    cache = ParseCache(max_total_chars=10, max_text_chars=6)
    cache.parse("1111111")
    assert len(cache) == 0  # longer than a text may be
    cache.parse("11111")
    cache.parse("22222")
    cache.parse("3")
    assert len(cache) == 2  # the oldest went to stay within 10 characters


def test_threads_share_the_cache() -> None:
    cache = ParseCache(max_entries=8)
    texts = [f"{n} + {n}" for n in range(16)]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                for text in texts:
                    assert cache.parse(text).source.text == text
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(cache) == 8


def _answer(engine: Engine, query: Any) -> tuple[int, dict[str, Any]]:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body))
    reply = dict(result.body)
    reply.pop("txn_ts")
    stats = dict(reply.pop("stats"))  # type: ignore[arg-type]
    stats.pop("query_time_ms")
    reply["stats"] = stats
    return result.status, reply


@pytest.mark.parametrize(
    "query",
    [
        "Array.sequence(0, 100).map(x => x * 2).fold(0, (a, b) => a + b)",
        "let f = (n) => if (n == 0) abort('deep') else f(n - 1)\nf(3)",
        "[1, 2].map(x => x.nope())",
        "let o = { a: null }\no.a!",
        "let o = {}\no.a.b",
        'log("before")\ndbg([1, 2])\n"after".foo',
        "let x = 1\nlet g = () => x\nlet x = 2\n[g(), x]",
        "1 +",
        "1 + 'a'",
        {"fql": ["[", {"value": {"@int": "7"}}, ", ", {"value": {"@mod": "Nope"}}, "]"]},
        {"fql": [{"value": 1}, " + ", {"value": 2}]},
    ],
)
def test_a_cached_tree_answers_exactly_as_a_fresh_parse(engine: Engine, query: Any) -> None:
    fresh = _answer(engine, query)
    cached = _answer(engine, query)
    assert engine.parse_cache.hits >= 1 or fresh[1].get("error", {}).get("code") == (
        "invalid_query"
    )
    assert cached == fresh
    engine.parse_cache.clear()
    assert _answer(engine, query) == fresh
