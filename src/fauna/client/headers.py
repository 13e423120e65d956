"""HTTP header names the driver sends, and the driver-environment fingerprint.

``Header`` holds the names users may meet in ``additional_headers`` or logs;
``_Header`` holds the ones only the driver sets. Building header *values* for a
request is the job of ``fauna.client._requests``.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Mapping
from importlib import metadata


class Header:
    """Public names of the per-query headers."""

    LastTxnTs = "X-Last-Txn-Ts"
    Linearized = "X-Linearized"
    MaxContentionRetries = "X-Max-Contention-Retries"
    QueryTimeoutMs = "X-Query-Timeout-Ms"
    Typecheck = "X-Typecheck"
    Tags = "X-Query-Tags"
    Traceparent = "Traceparent"
    PerformanceHints = "X-Performance-Hints"


class _Header:
    """Names of headers that only the driver sets."""

    AcceptEncoding = "Accept-Encoding"
    Authorization = "Authorization"
    ContentType = "Content-Type"
    Driver = "X-Driver"
    DriverEnv = "X-Driver-Env"
    Format = "X-Format"


class _Auth:
    """A secret and the ``Authorization`` header value it becomes."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def bearer(self) -> str:
        return f"Bearer {self.secret}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Auth) and other.secret == self.secret

    def __hash__(self) -> int:
        return hash(self.secret)

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return "_Auth(secret='***')"


def _driver_version() -> str:
    try:
        return metadata.version("fauna")
    except metadata.PackageNotFoundError:
        return "unknown"


# Checked in order; the first hosting environment whose marker matches wins.
_ENVIRONMENT_MARKERS: tuple[tuple[str, Callable[[Mapping[str, str]], bool]], ...] = (
    ("Netlify", lambda env: "NETLIFY_IMAGES_CDN_DOMAIN" in env),
    ("Vercel", lambda env: "VERCEL" in env),
    ("Heroku", lambda env: ".heroku" in env.get("PATH", "")),
    ("AWS Lambda", lambda env: "AWS_LAMBDA_FUNCTION_VERSION" in env),
    ("GCP Cloud Functions", lambda env: "google" in env.get("_", "")),
    ("GCP Compute Instances", lambda env: "GOOGLE_CLOUD_PROJECT" in env),
    ("Azure Cloud Functions", lambda env: "WEBSITE_FUNCTIONS_AZUREMONITOR_CATEGORIES" in env),
    (
        "Azure Compute",
        lambda env: env.get("ORYX_ENV_TYPE") == "AppService" and "WEBSITE_INSTANCE_ID" in env,
    ),
)


class _DriverEnvironment:
    """Fingerprint of driver, Python runtime, hosting environment and OS.

    Sent as ``X-Driver-Env``; FaunaDB only logs it.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.driver_version = _driver_version()
        info = sys.version_info
        self.python_version = f"{info.major}.{info.minor}.{info.micro}-{info.releaselevel}"
        self.os = f"{platform.system()}-{platform.release()}"
        self.env = next((name for name, matches in _ENVIRONMENT_MARKERS if matches(env)), "Unknown")

    def __str__(self) -> str:
        # The original driver omitted the ';' before "env="; every part is separated here.
        return (
            f"driver=python-{self.driver_version}; runtime=python-{self.python_version}; "
            f"env={self.env}; os={self.os}"
        ).lower()
