"""The generic annotations of ``into=`` hold under ``mypy --strict`` (runs mypy on check_typed.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

HERE = Path(__file__).parent
ROOT = HERE.parents[2]

WRONG_CLAIM = """
from typing_extensions import assert_type
from fauna import fql
from fauna.client import Client
from fauna.encoding import QuerySuccess

def f(c: Client) -> None:
    assert_type(c.query(fql('1'), into=int), QuerySuccess[str])
"""


def run_mypy(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    # This checkout's sources, whatever fauna the interpreter has installed.
    monkeypatch.setenv("MYPYPATH", str(ROOT / "src"))
    stdout, stderr, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--strict", str(path)]
    )
    return stdout + stderr, status


def test_into_annotations_are_precise_under_mypy_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    output, status = run_mypy(HERE / "check_typed.py", monkeypatch)
    assert status == 0, output


def test_a_wrong_claim_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Guards against a check that passes because mypy saw nothing (an Any leaking through).
    path = tmp_path / "wrong_claim.py"
    path.write_text(WRONG_CLAIM)
    output, status = run_mypy(path, monkeypatch)
    assert status == 1, output
    assert 'Expression is of type "QuerySuccess[int]", not "QuerySuccess[str]"' in output
