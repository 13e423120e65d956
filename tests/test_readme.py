"""The README's Python examples, run as written against a faunalite server.

The blocks run in order in one process, as a reader would try them, with ``FAUNA_ENDPOINT`` and
``FAUNA_SECRET`` pointing at a fresh in-process faunalite.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from faunalite.testing import serve_in_background

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(python_blocks()) >= 3


def test_readme_examples_run_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_background() as server:
        monkeypatch.setenv("FAUNA_ENDPOINT", server.endpoint)
        monkeypatch.setenv("FAUNA_SECRET", server.secret)
        # A module of its own, as a script would have (dataclasses look their module up).
        module = types.ModuleType("__readme__")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        for block in python_blocks():
            exec(compile(block, str(README), "exec"), module.__dict__)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Scout ")
    assert printed[1:6] == [
        "1 dogs",
        "5",
        "1 dogs",
        "Pet(name='Rex', age=3)",
        "[Pet(name='Rex', age=3)]",
    ]
    assert printed[6].startswith("{'@doc': {'id': ")
    assert printed[7].startswith("PoolStats(open=")
