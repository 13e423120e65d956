"""The official JavaScript driver (npm ``fauna``) against faunalite, unchanged.

Under Node, fauna-js speaks only HTTP/2 (cleartext, prior knowledge, through ``node:http2``),
so this is also the h2c test a real FaunaDB client gives. ``fauna_js_check.cjs`` runs
queries, an abort, a check error, a stream (one replayed and one live event) and a feed, and
prints what it saw. The driver is installed once into a cache directory
(``$FAUNALITE_NODE_CACHE``, default ``~/.cache/faunalite``); the test is skipped only where
``node`` or ``npm`` is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from faunalite.testing import BackgroundServer

FAUNA_JS_VERSION = "2.5.0"
SCRIPT = Path(__file__).with_name("fauna_js_check.cjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed to run the official fauna-js driver",
)


@pytest.fixture(scope="module")
def fauna_js() -> Path:
    """The ``node_modules`` directory holding fauna-js, installed on first use."""
    cache = Path(os.environ.get("FAUNALITE_NODE_CACHE", Path.home() / ".cache" / "faunalite"))
    prefix = cache / f"fauna-js-{FAUNA_JS_VERSION}"
    modules = prefix / "node_modules"
    if not (modules / "fauna" / "package.json").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
                str(prefix),
                f"fauna@{FAUNA_JS_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return modules


def test_fauna_js_queries_streams_and_feeds(
    faunalite_server: BackgroundServer, db_name: str, fauna_js: Path
) -> None:
    result = subprocess.run(
        [
            "node",
            str(SCRIPT),
            faunalite_server.endpoint,
            f"{faunalite_server.secret}:{db_name}:admin",
        ],
        env={**os.environ, "NODE_PATH": str(fauna_js)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["sum"] == 42
    assert seen["created"] == {"name": "a", "n": 1, "hasId": True}
    assert seen["txnTs"] == "number"
    assert seen["abort"] == {"isAbort": True, "code": "abort", "abort": "stop"}
    assert seen["check"] == {"isCheck": True, "code": "invalid_query"}
    # "b" was written after the source was created (replayed), "c" while the stream was live.
    assert seen["stream"] == [{"type": "add", "name": "b"}, {"type": "add", "name": "c"}]
    assert seen["feed"] == [{"type": "add", "name": "b"}, {"type": "add", "name": "c"}]
