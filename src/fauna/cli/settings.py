"""Where the ``fauna`` command gets its endpoint and secret.

In order, the first that gives a value wins: the ``--endpoint`` / ``--secret`` flags, the
profile named by ``--profile``, the ``FAUNA_ENDPOINT`` / ``FAUNA_SECRET`` environment variables,
the profile named by ``FAUNA_PROFILE`` (else the ``[default]`` section), and last, for the
endpoint only, ``http://localhost:8443``. Profiles are sections of an INI file,
``$FAUNA_CONFIG`` or ``$XDG_CONFIG_HOME/fauna/config.ini`` (``~/.config/fauna/config.ini``)::

    [default]
    endpoint = http://localhost:8443
    secret = secret

    [ci]
    endpoint = https://fauna.internal:8443
    secret = fnAE...
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from fauna.cli.connection import UsageError, scoped_secret
from fauna.client.endpoints import Endpoints


@dataclass(frozen=True)
class Settings:
    """The endpoint and the (already scoped) secret a command uses."""

    endpoint: str
    secret: str


def config_path() -> Path:
    explicit = os.environ.get("FAUNA_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fauna" / "config.ini"


def _profile(name: str | None, *, required: bool) -> dict[str, str]:
    path = config_path()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise UsageError(f"cannot read the profile file {path}: {error}")
    section = name or "default"
    if not parser.has_section(section):
        if required:
            raise UsageError(f"no profile [{section}] in {path}")
        return {}
    return dict(parser.items(section))


def resolve(
    *,
    endpoint: str | None = None,
    secret: str | None = None,
    profile: str | None = None,
    database: str | None = None,
    role: str | None = None,
) -> Settings:
    """The settings for one command from its flags (``None`` where not given)."""
    chosen = _profile(profile, required=True) if profile else {}
    fallback = _profile(
        os.environ.get("FAUNA_PROFILE"), required=bool(os.environ.get("FAUNA_PROFILE"))
    )
    final_endpoint = (
        endpoint
        or chosen.get("endpoint")
        or os.environ.get("FAUNA_ENDPOINT")
        or fallback.get("endpoint")
        or Endpoints.Local
    )
    final_secret = (
        secret or chosen.get("secret") or os.environ.get("FAUNA_SECRET") or fallback.get("secret")
    )
    if not final_secret:
        raise UsageError(
            "no secret: pass --secret, set FAUNA_SECRET, or add 'secret =' to a profile in "
            f"{config_path()}"
        )
    return Settings(final_endpoint, scoped_secret(final_secret, database, role))
