"""Reproducible fuzz requests: a seeded ``random.Random`` → a stream of ``FuzzRequest``.

``RequestGenerator(seed, tokens).next()`` picks a family (valid or mutated queries, templates,
tagged arguments, unicode, deep JSON, deep run-time values, headers, bodies, event endpoints,
other paths and methods, broken HTTP framing) and builds one request of it. The same seed and
tokens give the same requests, so a finding can be replayed from its seed. Building requests
does no I/O; ``faunalite`` is never imported.

Queries get an ``X-Query-Timeout-Ms`` of at most ``QUERY_TIMEOUT_CAP_MS`` (unless the family
is fuzzing that header, on a cheap query): faunalite keeps working on a query its client
abandoned until its deadline, and FaunaDB's default deadline is two minutes.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fuzz.corpus import (
    DEEP_VALUE_SIZES,
    DEEP_VALUE_TEMPLATES,
    EDGE_NUMBERS,
    EDGE_STRINGS,
    FQL_PIECES,
    INVALID_UTF8,
    VALID_QUERIES,
    WIDE_VALUE_QUERIES,
)
from fuzz.malformed import (
    BAD_BODIES,
    BYTES_TEXTS,
    COMMON_HEADER_VALUES,
    HEADER_VALUES,
    MODULE_NAMES,
    OBJECT_CONTENTS,
    REFERENCES,
    TAGGED_NUMBER_TEXTS,
    TIME_TEXTS,
)

SECRET = "secret"
QUERY_TIMEOUT_CAP_MS = 5000
CHEAP_QUERY = "1 + 1"
FRAMINGS = ("longer", "shorter", "chunked", "bad_chunked", "no_length", "duplicate_length")
"""Ways to get the HTTP/1.1 body framing wrong (``exact`` is the right one)."""

JSON_VALUE = Any
T = TypeVar("T")


@dataclass(slots=True)
class FuzzRequest:
    """One HTTP/1.1 request as sent: header values are raw bytes, framing may be wrong."""

    family: str
    method: str
    path: str
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    body: bytes = b""
    framing: str = "exact"

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready description, exact enough to replay (the body also in base64)."""
        return {
            "family": self.family,
            "method": self.method,
            "path": self.path,
            "headers": [[name, value.decode("latin-1")] for name, value in self.headers],
            "framing": self.framing,
            "body": self.body[:4000].decode("utf-8", "backslashreplace"),
            "body_length": len(self.body),
            "body_base64": base64.b64encode(self.body).decode()
            if len(self.body) <= 1024 * 1024
            else None,
        }


def encode_json(value: JSON_VALUE, rng: random.Random) -> bytes:
    """JSON bytes; lone surrogates come out as ``\\ud800`` escapes or, at random, as the
    CESU-8 bytes of the surrogate (which are not UTF-8)."""
    if rng.random() < 0.85:
        return json.dumps(value).encode()
    text = json.dumps(value, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


class RequestGenerator:
    """Seeded request maker. ``tokens``/``cursors`` are event source tokens and event
    cursors read from the server at setup (valid inputs for ``/stream/1`` and ``/feed/1``)."""

    def __init__(
        self, seed: int, tokens: list[str] | None = None, cursors: list[str] | None = None
    ) -> None:
        self.rng = random.Random(seed)
        self.tokens = tokens or ["no-token"]
        self.cursors = cursors or ["no-cursor"]
        self._families: list[tuple[str, float, Callable[[], FuzzRequest]]] = [
            ("valid", 12, self._valid_query),
            ("mutated", 22, self._mutated_query),
            ("template", 8, self._template_query),
            ("arguments", 10, self._tagged_arguments),
            ("unicode", 8, self._unicode),
            ("deep_json", 4, self._deep_json),
            ("deep_value", 4, self._deep_value),
            ("headers", 10, self._bad_headers),
            ("body", 7, self._bad_body),
            ("events", 7, self._events),
            ("paths", 4, self._paths),
            ("framing", 4, self._framing),
        ]
        self._weights = [weight for _, weight, _ in self._families]

    def next(self) -> FuzzRequest:
        ((_, _, make),) = self.rng.choices(self._families, weights=self._weights)
        return make()

    # -- helpers -----------------------------------------------------------------------------

    def _pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def _auth(self) -> list[tuple[str, bytes]]:
        return [("Authorization", f"Bearer {SECRET}".encode())]

    def _query_headers(self, wire_format: str | None = None) -> list[tuple[str, bytes]]:
        rng = self.rng
        headers = self._auth()
        headers.append(("Content-Type", b"application/json"))
        timeout = rng.choice((500, 1000, 2000, QUERY_TIMEOUT_CAP_MS))
        headers.append(("X-Query-Timeout-Ms", str(timeout).encode()))
        chosen = wire_format or rng.choice(("simple", "tagged", "tagged", "decorated", None))
        if chosen is not None:
            headers.append(("X-Format", chosen.encode()))
        if rng.random() < 0.1:
            headers.append(("X-Typecheck", rng.choice((b"true", b"false"))))
        if rng.random() < 0.1:
            headers.append(("X-Linearized", b"true"))
        if rng.random() < 0.05:
            headers.append(("X-Performance-Hints", b"true"))
        if rng.random() < 0.1:
            headers.append(("X-Query-Tags", b"fuzz=1,run=a"))
        return headers

    def _query_request(
        self,
        family: str,
        query: JSON_VALUE,
        arguments: JSON_VALUE | None = None,
        wire_format: str | None = None,
    ) -> FuzzRequest:
        body: dict[str, JSON_VALUE] = {"query": query}
        if arguments is not None:
            body["arguments"] = arguments
        return FuzzRequest(
            family,
            "POST",
            "/query/1",
            self._query_headers(wire_format),
            encode_json(body, self.rng),
        )

    def _edge_string(self) -> str:
        rng = self.rng
        text = self._pick(EDGE_STRINGS)
        if rng.random() < 0.3:
            text += self._pick(EDGE_STRINGS)
        return str(text)

    # -- FQL text mutations ------------------------------------------------------------------

    def _mutate_text(self, text: str) -> str:
        rng = self.rng
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            text = self._pick(self._text_mutations)(self, text)
        return text

    def _delete_slice(self, text: str) -> str:
        if not text:
            return text
        start = self.rng.randrange(len(text))
        return text[:start] + text[start + self.rng.randint(1, 6) :]

    def _insert_piece(self, text: str) -> str:
        position = self.rng.randint(0, len(text))
        return text[:position] + self._pick(FQL_PIECES) + text[position:]

    def _duplicate_slice(self, text: str) -> str:
        if not text:
            return text
        start = self.rng.randrange(len(text))
        end = min(len(text), start + self.rng.randint(1, 20))
        return text[:end] + text[start:end] * self.rng.randint(1, 4) + text[end:]

    def _replace_number(self, text: str) -> str:
        digits = [index for index, char in enumerate(text) if char.isdigit()]
        if not digits:
            return self._insert_piece(text)
        position = self._pick(digits)
        return text[:position] + self._pick(EDGE_NUMBERS) + text[position + 1 :]

    def _insert_edge_string(self, text: str) -> str:
        position = self.rng.randint(0, len(text))
        edge = self._edge_string()
        quoted = edge if self.rng.random() < 0.3 else json.dumps(edge, ensure_ascii=False)
        return text[:position] + quoted + text[position:]

    def _truncate(self, text: str) -> str:
        return text[: self.rng.randint(0, len(text))]

    def _wrap_deep(self, text: str) -> str:
        rng = self.rng
        depth = rng.choice((10, 100, 500, 1000, 2000, 5000, 20000))
        opener, closer = self._pick(
            (
                ("(", ")"),
                ("[", "]"),
                ("{ a: ", " }"),
                ("-", ""),
                ("!", ""),
                ("x => ", ""),
                ("let x = 1\n", ""),
                ("if (true) ", ""),
                ("[1].map(y => ", ")"),
                ("{", "}"),
            )
        )
        return opener * depth + text + closer * depth

    def _combine(self, text: str) -> str:
        other = self._pick(VALID_QUERIES)
        joiner = self._pick(("\n", ";", " ", "", "."))
        return text + joiner + other

    def _swap_halves(self, text: str) -> str:
        middle = self.rng.randint(0, len(text))
        return text[middle:] + text[:middle]

    _text_mutations = (
        _delete_slice,
        _insert_piece,
        _insert_piece,
        _duplicate_slice,
        _replace_number,
        _replace_number,
        _insert_edge_string,
        _truncate,
        _wrap_deep,
        _combine,
        _swap_halves,
    )

    # -- families ----------------------------------------------------------------------------

    def _valid_query(self) -> FuzzRequest:
        return self._query_request("valid", self._pick(VALID_QUERIES))

    def _mutated_query(self) -> FuzzRequest:
        return self._query_request("mutated", self._mutate_text(self._pick(VALID_QUERIES)))

    def _template_fragment(self, depth: int = 0) -> JSON_VALUE:
        rng = self.rng
        roll = rng.random()
        if depth > 3 or roll < 0.35:
            return (
                self._mutate_text(self._pick(VALID_QUERIES))
                if roll < 0.1
                else self._pick(FQL_PIECES)
            )
        if roll < 0.6:
            return {"value": self._tagged_value()}
        if roll < 0.75:
            return {"fql": [self._template_fragment(depth + 1) for _ in range(rng.randint(0, 4))]}
        if roll < 0.83:
            return {"array": [self._template_fragment(depth + 1) for _ in range(rng.randint(0, 3))]}
        if roll < 0.9:
            return {
                "object": {
                    self._edge_string(): self._template_fragment(depth + 1)
                    for _ in range(rng.randint(0, 3))
                }
            }
        return self._pick(
            (
                None,
                1,
                [],
                {},
                {"fql": "x"},
                {"value": 1, "fql": []},
                {"bogus": []},
                {"fql": None},
                {"array": {}},
                {"object": []},
                True,
            )
        )

    def _template_query(self) -> FuzzRequest:
        rng = self.rng
        parts = [self._template_fragment() for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.5:
            parts = [{"fql": parts}] if rng.random() < 0.5 else parts
        query: JSON_VALUE = {"fql": parts}
        if rng.random() < 0.1:
            query = self._template_fragment()
        return self._query_request("template", query)

    def _tagged_value(self, depth: int = 0) -> JSON_VALUE:
        rng = self.rng
        roll = rng.random()
        if depth > 4 or roll < 0.3:
            return self._pick(
                (
                    None,
                    True,
                    False,
                    0,
                    1.5,
                    -(2**70),
                    1e308,
                    "",
                    "x",
                    self._edge_string(),
                    self._pick(EDGE_NUMBERS),
                )
            )
        if roll < 0.75:
            tag = self._pick(
                (
                    "@int",
                    "@long",
                    "@double",
                    "@object",
                    "@time",
                    "@date",
                    "@bytes",
                    "@mod",
                    "@doc",
                    "@ref",
                    "@set",
                    "@stream",
                    "@foo",
                    "@",
                    "@INT",
                    " @int",
                )
            )
            return {tag: self._tag_content(tag, depth)}
        if roll < 0.85:
            return [self._tagged_value(depth + 1) for _ in range(rng.randint(0, 3))]
        value = {
            self._pick(("a", "@int", "@object", "", "\ud800", "b")): self._tagged_value(depth + 1)
            for _ in range(rng.randint(0, 3))
        }
        return value

    def _tag_content(self, tag: str, depth: int) -> JSON_VALUE:
        rng = self.rng
        if rng.random() < 0.25:
            return self._tagged_value(depth + 1)
        if tag in ("@int", "@long", "@double"):
            return self._pick(TAGGED_NUMBER_TEXTS)
        if tag in ("@time", "@date"):
            return self._pick(TIME_TEXTS)
        if tag == "@bytes":
            return self._pick(BYTES_TEXTS)
        if tag == "@mod":
            return self._pick(MODULE_NAMES)
        if tag in ("@doc", "@ref"):
            return self._pick(REFERENCES)
        if tag == "@object":
            return self._pick(OBJECT_CONTENTS)
        if tag in ("@set", "@stream"):
            return self._pick([*self.tokens, "", "garbage", "AAAA", {"data": []}])
        return self._edge_string()

    def _tagged_arguments(self) -> FuzzRequest:
        rng = self.rng
        names = [
            self._pick(("x", "y", "a b", "", "$0", "\ud800", "é", "x" * 200))
            for _ in range(rng.randint(1, 3))
        ]
        arguments = {name: self._tagged_value() for name in names}
        query = self._pick(
            (
                "x",
                "y",
                "[x, y]",
                "x.toString()",
                "x == x",
                "{ a: x }",
                "x.length",
                "FuzzItems.create({ a: x })",
                "Object.keys(x)",
                "x + 1",
                "abort(x)",
            )
        )
        wire_format = rng.choice(("tagged", "tagged", "simple", "decorated"))
        if rng.random() < 0.1:
            arguments_value: JSON_VALUE = self._pick(([], "x", 1, None, [arguments]))
            return self._query_request("arguments", query, arguments_value, wire_format)
        return self._query_request("arguments", query, arguments, wire_format)

    def _unicode(self) -> FuzzRequest:
        rng = self.rng
        edge = self._edge_string()
        roll = rng.random()
        if roll < 0.3:
            query = self._pick(
                (
                    "'{s}'",
                    '"{s}"',
                    "'{s}'.length",
                    "'{s}'.toUpperCase()",
                    "'{s}'.split('')",
                    "'{s}'.casefold()",
                    "'{s}'.slice(1)",
                    "FuzzItems.create({{ s: '{s}' }})",
                    "{{ '{s}': 1 }}",
                    "'{s}'.replaceAll('', '-')",
                    "'{s}'.includesRegex('{s}')",
                    "'{s}' < 'a'",
                    "'{s}'.at(0)",
                    "let {s} = 1; {s}",
                    "// {s}\n1",
                    "Time('{s}')",
                    "'{s}'.parseInt()",
                    "log('{s}')",
                    "abort('{s}')",
                    "'{s}'.order()",
                )
            ).format(s=edge)
            return self._query_request("unicode", query)
        if roll < 0.5:
            return self._query_request("unicode", "x", {"x": edge}, "simple")
        if roll < 0.65:
            headers = self._query_headers()
            tags = rng.choice((f"a={edge}", f"{edge}=1", "a=é", "a=1,b=\u202e"))
            headers.append(("X-Query-Tags", tags.encode("utf-8", "surrogatepass")))
            return FuzzRequest("unicode", "POST", "/query/1", headers, b'{"query":"1"}')
        raw = json.dumps({"query": f"'{edge}'"}).encode()
        junk = self._pick(INVALID_UTF8)
        position = rng.randint(0, len(raw))
        if rng.random() < 0.6:
            # Inside the query string, where a lenient reader would keep the bytes.
            position = raw.index(b"'") + 1
        body = raw[:position] + junk + raw[position:]
        return FuzzRequest("unicode", "POST", "/query/1", self._query_headers(), body)

    def _deep_json(self) -> FuzzRequest:
        rng = self.rng
        depth = rng.choice((100, 998, 999, 1000, 1001, 2000, 10000, 100000))
        opener, closer = self._pick(
            (
                (b"[", b"]"),
                (b'{"a":', b"}"),
                (b'{"@object":', b"}"),
                (b'{"@doc":', b"}"),
                (b'{"fql":[', b"]}"),
                (b'{"array":[', b"]}"),
                (b'{"object":{"k":', b"}}"),
            )
        )
        leaf = self._pick((b"1", b'"x"', b"null", b'{"@int":"1"}', b"[]", b'{"value":1}'))
        nested = opener * depth + leaf + closer * depth
        where = rng.random()
        if where < 0.4:
            body = b'{"query":"x","arguments":{"x":' + nested + b"}}"
        elif where < 0.7:
            body = b'{"query":{"fql":[' + nested + b"]}}"
        elif where < 0.85:
            body = b'{"query":' + nested + b"}"
        else:
            body = nested
        if rng.random() < 0.2:
            body = body[: rng.randint(0, len(body))]
        path = rng.choice(("/query/1",) * 6 + ("/feed/1", "/stream/1"))
        if path != "/query/1" and rng.random() < 0.5:
            body = b'{"token":' + nested + b"}"
        return FuzzRequest("deep_json", "POST", path, self._query_headers(), body)

    def _deep_value(self) -> FuzzRequest:
        if self.rng.random() < 0.25:
            query = self._pick(WIDE_VALUE_QUERIES)
        else:
            query = self._pick(DEEP_VALUE_TEMPLATES).format(n=self._pick(DEEP_VALUE_SIZES))
        return self._query_request("deep_value", query)

    def _bad_header_value(self, name: str) -> bytes:
        rng = self.rng
        options = HEADER_VALUES.get(name, ())
        if options and rng.random() < 0.85:
            return bytes(self._pick(options))
        return bytes(self._pick(COMMON_HEADER_VALUES))

    def _bad_headers(self) -> FuzzRequest:
        rng = self.rng
        headers: list[tuple[str, bytes]] = [("Content-Type", b"application/json")]
        names = [
            "Authorization",
            "X-Query-Timeout-Ms",
            "X-Format",
            "X-Last-Txn-Ts",
            "X-Linearized",
            "X-Typecheck",
            "X-Performance-Hints",
            "X-Max-Contention-Retries",
            "X-Query-Tags",
            "Content-Type",
            "traceparent",
            "X-Faunadb-Api-Version",
            "Accept-Encoding",
            "Origin",
        ]
        chosen = rng.sample(names, rng.randint(1, 4))
        if "Authorization" not in chosen and rng.random() < 0.9:
            headers.extend(self._auth())
        for name in chosen:
            headers.append((name, self._bad_header_value(name)))
        if rng.random() < 0.1:
            # The same header twice, with different values.
            name = self._pick(chosen)
            headers.append((name, self._bad_header_value(name)))
        if rng.random() < 0.05:
            headers.append((self._pick(("X-\xe9", "Bad Name", "", "X-Nul\x00")), b"1"))
        path = rng.choice(("/query/1", "/query/1", "/query/1", "/feed/1", "/stream/1"))
        if path == "/query/1":
            body = json.dumps(
                {"query": rng.choice((CHEAP_QUERY, "FuzzItems.all().first()", "Query.identity()"))}
            )
        else:
            body = json.dumps({"token": self._pick(self.tokens)})
        return FuzzRequest(
            "headers", rng.choice(("POST", "POST", "GET", "PUT")), path, headers, body.encode()
        )

    def _bad_body(self) -> FuzzRequest:
        rng = self.rng
        valid = json.dumps({"query": self._pick(VALID_QUERIES)}).encode()
        bodies = (
            *BAD_BODIES,
            b"\xef\xbb\xbf" + valid,
            valid.decode().encode("utf-16"),
            valid.decode().encode("utf-32"),
            b"  \n\t" + valid + b"\n\n",
        )
        roll = rng.random()
        if roll < 0.6:
            body = bytes(self._pick(bodies))
        elif roll < 0.8:
            body = valid[: rng.randint(0, len(valid))]
        elif roll < 0.995:
            data = bytearray(valid)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            body = bytes(data)
        else:
            # Past the 8 MiB cap: 413 request_size_exceeded.
            body = b'{"query":"' + b"1" * (8 * 1024 * 1024 + 10) + b'"}'
        headers = self._query_headers()
        return FuzzRequest(
            "body", "POST", rng.choice(("/query/1",) * 4 + ("/feed/1", "/stream/1")), headers, body
        )

    def _event_body(self) -> JSON_VALUE:
        rng = self.rng
        token: JSON_VALUE = self._pick(self.tokens)
        roll = rng.random()
        if roll < 0.15:
            token = str(token)[: rng.randint(0, len(str(token)))]
        elif roll < 0.25:
            chars = list(str(token))
            if chars:
                chars[rng.randrange(len(chars))] = rng.choice("AZaz09+/=!é")
            token = "".join(chars)
        elif roll < 0.32:
            token = self._pick(
                (None, 1, [], {}, "", "AAAA", self._edge_string(), {"@stream": token})
            )
        body: dict[str, JSON_VALUE] = {"token": token}
        if rng.random() < 0.1:
            del body["token"]
        if rng.random() < 0.3:
            body["cursor"] = self._pick(
                [*self.cursors, None, "", "garbage", 1, "AAAA", self.cursors[0][:-2]]
            )
        if rng.random() < 0.3:
            body["start_ts"] = self._pick(
                (
                    0,
                    -1,
                    1,
                    2**63,
                    -(2**63) - 1,
                    10**30,
                    1.5,
                    "1",
                    None,
                    True,
                    4102444800000000,
                    1700000000000000,
                )
            )
        if rng.random() < 0.3:
            body["page_size"] = self._pick(
                (0, -1, 1, 16000, 16001, 2**31, 10**30, 1.5, "2", None, True)
            )
        if rng.random() < 0.05:
            body["extra"] = 1
        return body

    def _events(self) -> FuzzRequest:
        rng = self.rng
        path = rng.choice(("/stream/1", "/feed/1", "/feed/1"))
        headers = (
            self._auth()
            if rng.random() < 0.9
            else [("Authorization", self._bad_header_value("Authorization"))]
        )
        if rng.random() < 0.2:
            name = rng.choice(
                ("X-Query-Timeout-Ms", "X-Last-Txn-Ts", "X-Max-Contention-Retries", "X-Format")
            )
            headers.append((name, self._bad_header_value(name)))
        body = encode_json(self._event_body(), rng)
        if rng.random() < 0.05:
            body = bytes(self._pick((b"", b"{", b"[]", b"null", b'{"token":"x"', b"\xff")))
        method = "POST" if rng.random() < 0.9 else rng.choice(("GET", "PUT", "DELETE", "HEAD"))
        return FuzzRequest("events", method, path, headers, body)

    def _paths(self) -> FuzzRequest:
        rng = self.rng
        path = self._pick(
            (
                "/ping",
                "/ping?scope=all",
                "/ping?scope=read",
                "/ping?scope=%ff",
                "/ping?scope=",
                "/ping?scope=a&scope=b",
                "/",
                "/query/1/",
                "/query/1?x=1",
                "/query/2",
                "/query",
                "/stream/1/",
                "/feed/1?page_size=1",
                "/environment/1",
                "/schema/1/files",
                "/export/1",
                "/faunalite/reset",
                "/faunalite/",
                "/%2e%2e/query/1",
                "/query/1#frag",
                "//query/1",
                "/" + "a" * 10000,
                "/query/%00",
                "/ping/",
                "*",
                "/\xe9",
            )
        )
        method = self._pick(
            ("GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "get")
        )
        headers = (
            self._auth() if path != "/faunalite/reset" else [("Authorization", b"Bearer wrong")]
        )
        if method == "OPTIONS" and rng.random() < 0.7:
            headers.append(("Origin", b"http://example.com"))
        body = b"" if rng.random() < 0.5 else json.dumps({"query": CHEAP_QUERY}).encode()
        return FuzzRequest("paths", method, path, headers, body)

    def _framing(self) -> FuzzRequest:
        rng = self.rng
        request = rng.choice((self._valid_query, self._events, self._bad_body))()
        request.family = "framing"
        request.framing = rng.choice(FRAMINGS)
        return request
