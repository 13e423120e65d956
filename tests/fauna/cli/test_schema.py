"""``fauna.cli.schema`` and ``fauna.cli.schema_commands`` against a mock FaunaDB: the exact
requests each action sends, and what it does with FaunaDB's documented replies."""

from __future__ import annotations

import argparse
import email.parser
import email.policy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from fauna.cli.connection import EXIT_UNAUTHORIZED, UsageError
from fauna.cli.schema import (
    EXIT_NO_SCHEMA_API,
    EXIT_SCHEMA_REJECTED,
    NoSchemaApi,
    SchemaApi,
    SchemaRejected,
    check_file_count,
    gather_fsl,
    plan_pull,
)
from fauna.cli.schema_commands import run_schema

ENDPOINT = "http://fauna.test"
Reply = tuple[int, Any]


class MockFauna:
    """Answers each request with the next reply queued for its ``METHOD path``."""

    def __init__(self, replies: dict[str, list[Reply]]) -> None:
        self.replies = replies
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().split("?")[0]
        status, body = self.replies[f"{request.method} {path}"].pop(0)
        return httpx.Response(status, json=body)

    def api(self) -> SchemaApi:
        return SchemaApi(ENDPOINT, "s3cret", httpx.Client(transport=httpx.MockTransport(self)))

    def calls(self) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (r.method, r.url.raw_path.decode().split("?")[0], dict(r.url.params))
            for r in self.requests
        ]


def multipart_files(request: httpx.Request) -> dict[str, tuple[str | None, str]]:
    """Part name → (file name, text) of a multipart/form-data body."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.read())
    parts = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts[str(part.get_param("name", header="content-disposition"))] = (
            part.get_filename(),
            payload.decode(),
        )
    return parts


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def namespace(action: str, **flags: Any) -> argparse.Namespace:
    defaults = {
        "dir": ".",
        "force": False,
        "staged": False,
        "active": False,
        "delete": False,
        "text": False,
        "semantic": False,
    }
    return argparse.Namespace(action=action, **{**defaults, **flags})


def run(
    fauna: MockFauna,
    action: str,
    *,
    tty: bool = False,
    answer: bool = True,
    **flags: Any,
) -> int:
    asked: Callable[[str], bool] = lambda _question: answer  # noqa: E731
    return run_schema(
        fauna.api(), namespace(action, **flags), confirm=asked, interactive=lambda: tty
    )


MAIN = "collection Dog {\n  name: String\n}\n"
FUNCS = "function double(x) { x * 2 }\n"


def test_gather_fsl_is_recursive_with_slash_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN, "fns/math.fsl": FUNCS, "notes.txt": "no"})
    assert gather_fsl(tmp_path) == {"fns/math.fsl": FUNCS, "main.fsl": MAIN}


def test_plan_pull_sorts_files_by_what_happens_to_them() -> None:
    plan = plan_pull(
        {"a.fsl": "new", "b.fsl": "same", "c.fsl": "theirs"},
        {"b.fsl": "same", "c.fsl": "mine", "d.fsl": "only here"},
        delete=True,
    )
    assert (plan.adds, plan.unchanged, plan.overwrites, plan.deletes) == (
        ["a.fsl"],
        ["b.fsl"],
        ["c.fsl"],
        ["d.fsl"],
    )
    assert plan.loses_local_text
    assert plan_pull({"a.fsl": "x"}, {"d.fsl": "y"}, delete=False).deletes == []


def test_push_diffs_then_updates_with_the_diffs_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN, "fns/math.fsl": FUNCS})
    fauna = MockFauna(
        {
            "POST /schema/1/diff": [(200, {"version": 17, "diff": "* Adding collection `Dog`"})],
            "POST /schema/1/update": [(200, {"version": 18})],
        }
    )
    assert run(fauna, "push", dir=str(tmp_path)) == 0
    assert fauna.calls() == [
        ("POST", "/schema/1/diff", {"format": "semantic"}),
        ("POST", "/schema/1/update", {"version": "17"}),
    ]
    for request in fauna.requests:
        assert request.headers["authorization"] == "Bearer s3cret"
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert multipart_files(request) == {
            "fns/math.fsl": ("fns/math.fsl", FUNCS),
            "main.fsl": ("main.fsl", MAIN),
        }
    out = capsys.readouterr().out
    assert "Proposed diff:\n* Adding collection `Dog`" in out
    assert "pushed 2 files; schema version 18" in out


def test_push_force_skips_the_diff_and_the_version_check(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna({"POST /schema/1/update": [(200, {"version": 18})]})
    assert run(fauna, "push", dir=str(tmp_path), force=True, staged=True) == 0
    assert fauna.calls() == [("POST", "/schema/1/update", {"force": "true", "staged": "true"})]


def test_push_asks_on_a_terminal_and_stops_on_no(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna({"POST /schema/1/diff": [(200, {"version": 3, "diff": ""})]})
    assert run(fauna, "push", dir=str(tmp_path), tty=True, answer=False, staged=True) == 0
    assert fauna.calls() == [("POST", "/schema/1/diff", {"format": "semantic", "staged": "true"})]
    assert capsys.readouterr().out == "No logical changes.\nPush cancelled.\n"


def test_push_asks_on_a_terminal_and_goes_ahead_on_yes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna(
        {
            "POST /schema/1/diff": [(200, {"version": 3, "diff": "* Adding collection `Dog`"})],
            "POST /schema/1/update": [(200, {"version": 4})],
        }
    )
    assert run(fauna, "push", dir=str(tmp_path), tty=True, answer=True) == 0
    assert [call[1:] for call in fauna.calls()] == [
        ("/schema/1/diff", {"format": "semantic"}),
        ("/schema/1/update", {"version": "3"}),
    ]


def test_too_many_files_are_refused_before_sending() -> None:
    files = {f"f{n}.fsl": "" for n in range(1023)}
    check_file_count(files)
    with pytest.raises(UsageError, match=r"at most 1023 in one schema without a main\.fsl"):
        check_file_count({**files, "extra.fsl": ""})
    check_file_count({**files, "main.fsl": ""})


def test_push_without_files_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \.fsl files"):
        run(MockFauna({}), "push", dir=str(tmp_path))


@pytest.mark.parametrize(
    ("status", "message", "exit_code"),
    [
        (400, "error: Type `Strin` is not defined\nat main.fsl:2:9", EXIT_SCHEMA_REJECTED),
        (401, "Access token required", EXIT_UNAUTHORIZED),
        (403, "Access denied", EXIT_UNAUTHORIZED),
    ],
)
def test_push_rejections_carry_faunadbs_message(
    tmp_path: Path, status: int, message: str, exit_code: int
) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna({"POST /schema/1/diff": [(status, {"error": {"message": message}})]})
    with pytest.raises(SchemaRejected) as raised:
        run(fauna, "push", dir=str(tmp_path))
    assert (raised.value.message, raised.value.exit_code) == (message, exit_code)


def test_a_stale_version_says_what_to_do(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna(
        {
            "POST /schema/1/diff": [(200, {"version": 1, "diff": "x"})],
            "POST /schema/1/update": [
                (409, {"error": {"message": "Stale schema version provided"}})
            ],
        }
    )
    with pytest.raises(SchemaRejected, match="Stale schema version provided") as raised:
        run(fauna, "push", dir=str(tmp_path))
    assert "--force" in raised.value.message
    assert raised.value.exit_code == EXIT_SCHEMA_REJECTED


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (501, {"error": {"message": "faunalite does not implement the schema API"}}),
        (404, {"error": {"message": "Not found"}}),
        (404, {"errors": [{"code": "not found", "description": "Not Found"}]}),
    ],
)
def test_a_server_without_the_schema_api_says_so(tmp_path: Path, status: int, body: Any) -> None:
    fauna = MockFauna({"GET /schema/1/files": [(status, body)]})
    with pytest.raises(NoSchemaApi, match="does not serve FaunaDB's schema API") as raised:
        run(fauna, "pull", dir=str(tmp_path))
    assert raised.value.exit_code == EXIT_NO_SCHEMA_API


def pull_server() -> MockFauna:
    return MockFauna(
        {
            "GET /schema/1/files": [
                (
                    200,
                    {
                        "version": 42,
                        "files": [{"filename": "main.fsl"}, {"filename": "fns/math.fsl"}],
                    },
                )
            ],
            "GET /schema/1/files/main.fsl": [(200, {"version": 42, "content": MAIN})],
            "GET /schema/1/files/fns%2Fmath.fsl": [(200, {"version": 42, "content": FUNCS})],
        }
    )


def test_pull_fetches_each_file_at_the_listed_version(tmp_path: Path) -> None:
    fauna = pull_server()
    assert run(fauna, "pull", dir=str(tmp_path / "schema")) == 0
    assert fauna.calls() == [
        ("GET", "/schema/1/files", {}),
        ("GET", "/schema/1/files/fns%2Fmath.fsl", {"version": "42"}),
        ("GET", "/schema/1/files/main.fsl", {"version": "42"}),
    ]
    assert gather_fsl(tmp_path / "schema") == {"fns/math.fsl": FUNCS, "main.fsl": MAIN}


def test_pull_refuses_to_overwrite_local_changes_without_force(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": "collection Cat {}\n", "old.fsl": "x"})
    with pytest.raises(UsageError, match="--force"):
        run(pull_server(), "pull", dir=str(tmp_path), delete=True)
    assert (tmp_path / "main.fsl").read_text() == "collection Cat {}\n"
    assert run(pull_server(), "pull", dir=str(tmp_path), delete=True, force=True) == 0
    assert gather_fsl(tmp_path) == {"fns/math.fsl": FUNCS, "main.fsl": MAIN}


def test_pull_keeps_unlisted_files_without_delete(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN, "old.fsl": "x"})
    assert run(pull_server(), "pull", dir=str(tmp_path)) == 0
    assert sorted(gather_fsl(tmp_path)) == ["fns/math.fsl", "main.fsl", "old.fsl"]


def test_pull_refuses_names_outside_the_directory(tmp_path: Path) -> None:
    fauna = MockFauna(
        {"GET /schema/1/files": [(200, {"version": 1, "files": [{"filename": "../x.fsl"}]})]}
    )
    with pytest.raises(UsageError, match="leaves --dir"):
        run(fauna, "pull", dir=str(tmp_path))


@pytest.mark.parametrize(
    ("flags", "params"),
    [
        ({}, {"format": "semantic"}),
        ({"text": True}, {"format": "textual"}),
        ({"staged": True}, {"format": "semantic", "staged": "true"}),
    ],
)
def test_diff_params(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: dict[str, bool],
    params: dict[str, str],
) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna({"POST /schema/1/diff": [(200, {"version": 5, "diff": "* Changes"})]})
    assert run(fauna, "diff", dir=str(tmp_path), **flags) == 0
    assert fauna.calls() == [("POST", "/schema/1/diff", params)]
    assert capsys.readouterr().out == "* Changes\n"


def test_validate_posts_to_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"main.fsl": MAIN})
    fauna = MockFauna({"POST /schema/1/validate": [(200, {"version": 5, "diff": ""})]})
    assert run(fauna, "validate", dir=str(tmp_path)) == 0
    assert fauna.calls() == [("POST", "/schema/1/validate", {"format": "semantic"})]
    assert capsys.readouterr().out.endswith("No schema differences.\n")


def test_status_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    reply = {
        "version": 9,
        "status": "pending",
        "pending_summary": "Dog: building index",
        "diff": "* Modifying collection `Dog`",
    }
    fauna = MockFauna({"GET /schema/1/staged/status": [(200, reply)]})
    assert run(fauna, "status") == 0
    assert fauna.calls() == [("GET", "/schema/1/staged/status", {"format": "summary"})]
    assert capsys.readouterr().out == (
        "Staged changes: pending\nDog: building index\n* Modifying collection `Dog`\n"
    )


def test_commit_checks_status_then_commits_at_its_version() -> None:
    fauna = MockFauna(
        {
            "GET /schema/1/staged/status": [(200, {"version": 9, "status": "ready"})],
            "POST /schema/1/staged/commit": [(200, {"version": 10})],
        }
    )
    assert run(fauna, "commit") == 0
    assert fauna.calls() == [
        ("GET", "/schema/1/staged/status", {}),
        ("POST", "/schema/1/staged/commit", {"version": "9"}),
    ]


def test_commit_refuses_a_schema_that_is_not_ready() -> None:
    fauna = MockFauna({"GET /schema/1/staged/status": [(200, {"version": 9, "status": "pending"})]})
    with pytest.raises(UsageError, match="pending, not ready"):
        run(fauna, "commit")


def test_abandon_force_sends_force() -> None:
    fauna = MockFauna({"POST /schema/1/staged/abandon": [(200, {"version": 10})]})
    assert run(fauna, "abandon", force=True) == 0
    assert fauna.calls() == [("POST", "/schema/1/staged/abandon", {"force": "true"})]


def test_a_reply_that_is_not_faunadbs_is_unreachable() -> None:
    from fauna.cli.connection import Unreachable

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="<html>oops</html>")

    api = SchemaApi(ENDPOINT, "s", httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(Unreachable, match="FaunaDB's error shape"):
        api.status()
