"""The real Fauna CLI (npm ``fauna-shell``) pushing, diffing and pulling FSL against faunalite.

``fauna schema push --active``, ``schema diff`` and ``schema pull --active`` talk to the
``/schema/1`` endpoints exactly as they talk to FaunaDB; so do the staged-schema commands
(``schema push`` without ``--active``, ``schema status``, ``schema commit``, ``schema
abandon``). The CLI is installed once into a cache
directory (``$FAUNALITE_NODE_CACHE``, default ``~/.cache/faunalite``) with ``--ignore-scripts``
(a dependency's install script fetches release notes from the network); the test is skipped
where ``node`` or ``npm`` is missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fauna import fql
from fauna.client import Client
from faunalite.testing import BackgroundServer

FAUNA_SHELL_VERSION = "4.0.0"
SCHEMA = "collection User {\n  name: String\n  index byName {\n    terms [.name]\n  }\n}\n"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed to run the Fauna CLI (npm fauna-shell)",
)


@pytest.fixture(scope="module")
def fauna_cli() -> Path:
    """The ``fauna`` executable, installed on first use."""
    cache = Path(os.environ.get("FAUNALITE_NODE_CACHE", Path.home() / ".cache" / "faunalite"))
    prefix = cache / f"fauna-shell-{FAUNA_SHELL_VERSION}"
    executable = prefix / "node_modules" / ".bin" / "fauna"
    if not executable.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--ignore-scripts",
                "--prefix",
                str(prefix),
                f"fauna-shell@{FAUNA_SHELL_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0 or not executable.exists():
            pytest.skip(
                f"could not install fauna-shell from the npm registry: {installed.stderr[-300:]}"
            )
    return executable


def test_schema_push_diff_and_pull(
    fauna_cli: Path, faunalite_server: BackgroundServer, db_name: str, tmp_path: Path
) -> None:
    local, pulled, home = tmp_path / "schema", tmp_path / "pulled", tmp_path / "home"
    for folder in (local, pulled, home):
        folder.mkdir()
    (local / "main.fsl").write_text(SCHEMA)
    secret = f"{faunalite_server.secret}:{db_name}:admin"

    def fauna(*args: str) -> str:
        done = subprocess.run(
            [
                str(fauna_cli),
                *args,
                "--url",
                faunalite_server.endpoint,
                "--secret",
                secret,
                "--no-color",
            ],
            capture_output=True,
            text=True,
            input="y\n",
            env={**os.environ, "HOME": str(home)},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    before = fauna("schema", "diff", "--dir", str(local))
    assert "* Adding collection `User` to main.fsl:1:1" in before
    fauna("schema", "push", "--dir", str(local), "--active", "--no-input")
    with Client(endpoint=faunalite_server.endpoint, secret=secret) as db:
        terms = db.query(fql('Collection.byName("User")!.indexes.byName.terms')).data
    assert terms == [{"field": ".name", "mva": False}]
    assert "No schema differences." in fauna("schema", "diff", "--dir", str(local))
    fauna("schema", "pull", "--dir", str(pulled), "--active")
    assert (pulled / "main.fsl").read_text() == SCHEMA


def test_schema_staged_push_status_commit_and_abandon(
    fauna_cli: Path, faunalite_server: BackgroundServer, db_name: str, tmp_path: Path
) -> None:
    """fauna-shell v4 stages by default: ``schema push`` without ``--active``."""
    active, staged, home = tmp_path / "active", tmp_path / "staged", tmp_path / "home"
    for folder in (active, staged, home):
        folder.mkdir()
    (active / "main.fsl").write_text("collection User {\n  name: String\n}\n")
    (staged / "main.fsl").write_text(SCHEMA)
    secret = f"{faunalite_server.secret}:{db_name}:admin"

    def fauna(*args: str, succeed: bool = True) -> str:
        done = subprocess.run(
            [
                str(fauna_cli),
                *args,
                "--url",
                faunalite_server.endpoint,
                "--secret",
                secret,
                "--no-color",
            ],
            capture_output=True,
            text=True,
            input="y\n",
            env={**os.environ, "HOME": str(home)},
            timeout=120,
            check=False,
        )
        assert (done.returncode == 0) is succeed, done.stderr
        return done.stdout + done.stderr

    def indexes(db: Client) -> object:
        return db.query(fql('Collection.byName("User")!.indexes')).data

    fauna("schema", "push", "--dir", str(active), "--active", "--no-input")
    with Client(endpoint=faunalite_server.endpoint, secret=secret) as db:
        db.query(fql('User.create({ name: "Alice" })'))
        assert "Staged changes: none" in fauna("schema", "status", "--dir", str(staged))

        fauna("schema", "push", "--dir", str(staged), "--no-input")
        assert indexes(db) == {}
        status = fauna("schema", "status", "--dir", str(staged))
        assert "Staged changes: ready" in status
        assert "* Modifying collection `User` at main.fsl:1:1" in status
        assert "Local changes: none" in status
        shown = fauna("schema", "diff", "--staged", "--dir", str(staged))
        assert "+ add index `byName`" in shown
        # `pull` without --active pulls the staged files when a schema is staged.
        pulled = tmp_path / "pulled"
        pulled.mkdir()
        fauna("schema", "pull", "--dir", str(pulled))
        assert (pulled / "main.fsl").read_text() == SCHEMA

        # Without --no-input: the CLI shows the staged diff and commits with its version.
        committed = fauna("schema", "commit")
        assert "Schema has been committed" in committed
        assert db.query(fql('User.byName("Alice").count()')).data == 1
        assert "Staged changes: none" in fauna("schema", "status", "--dir", str(staged))
        assert "There is no staged schema to commit" in fauna(
            "schema", "commit", "--no-input", succeed=False
        )

        fauna("schema", "push", "--dir", str(active), "--no-input")
        assert "Staged changes: ready" in fauna("schema", "status", "--dir", str(active))
        assert "Schema has been abandoned" in fauna("schema", "abandon", "--no-input")
        assert "Staged changes: none" in fauna("schema", "status", "--dir", str(active))
        assert set(indexes(db)) == {"byName"}  # type: ignore[arg-type]
