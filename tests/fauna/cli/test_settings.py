"""Where the ``fauna`` command's endpoint and secret come from, and how secrets are scoped."""

from __future__ import annotations

from pathlib import Path

import pytest

from fauna.cli.connection import UsageError, scoped_secret
from fauna.cli.settings import Settings, resolve


@pytest.mark.parametrize(
    ("secret", "database", "role", "expected"),
    [
        ("k", None, None, "k"),
        ("k", "app", None, "k:app:admin"),
        ("k", "app/inner/", "server", "k:app/inner:server"),
        ("k", None, "client", "k:client"),
        ("k", None, "reader", "k:@role/reader"),
        ("k:app:server", "inner", None, "k:app/inner:server"),
        ("k:server", "app", None, "k:app:server"),
        ("k:app:admin", None, "@role/x", "k:app:@role/x"),
    ],
)
def test_scoped_secret(secret: str, database: str | None, role: str | None, expected: str) -> None:
    assert scoped_secret(secret, database, role) == expected


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("FAUNA_ENDPOINT", "FAUNA_SECRET", "FAUNA_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.ini"
    path.write_text(
        "[default]\nendpoint = http://default\nsecret = d\n\n[ci]\nendpoint = http://ci\nsecret = c\n"
    )
    monkeypatch.setenv("FAUNA_CONFIG", str(path))
    return path


def test_precedence(profiles: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve() == Settings("http://default", "d")
    monkeypatch.setenv("FAUNA_ENDPOINT", "http://env")
    monkeypatch.setenv("FAUNA_SECRET", "e")
    assert resolve() == Settings("http://env", "e")
    assert resolve(profile="ci") == Settings("http://ci", "c")
    assert resolve(profile="ci", secret="flag") == Settings("http://ci", "flag")
    assert resolve(endpoint="http://flag", database="db") == Settings("http://flag", "e:db:admin")


def test_env_profile(profiles: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAUNA_PROFILE", "ci")
    assert resolve() == Settings("http://ci", "c")
    monkeypatch.setenv("FAUNA_PROFILE", "gone")
    with pytest.raises(UsageError, match=r"no profile \[gone\]"):
        resolve()


def test_default_endpoint_without_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FAUNA_ENDPOINT", "FAUNA_SECRET", "FAUNA_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAUNA_CONFIG", str(tmp_path / "missing.ini"))
    assert resolve(secret="s") == Settings("http://localhost:8443", "s")
    with pytest.raises(UsageError, match="no secret"):
        resolve()


def test_unreadable_profile_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.ini"
    path.write_text("endpoint = no section\n")
    monkeypatch.setenv("FAUNA_CONFIG", str(path))
    with pytest.raises(UsageError, match="cannot read the profile file"):
        resolve(secret="s")
