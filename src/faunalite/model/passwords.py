"""Password hashing for ``Credential`` documents: salted scrypt, from the standard library.

A password is never stored: ``hash_password`` turns it into one self-describing text,
``scrypt$<n>$<r>$<p>$<salt>$<digest>`` (salt and digest in URL-safe base64), so the cost
parameters travel with each hash and can be raised later without breaking older ones.
``password_matches`` recomputes the digest with the recorded parameters and compares in
constant time. FaunaDB uses BCrypt for the same job; the scheme is not visible to clients.

This module knows nothing of documents or FQL; ``faunalite.model.identity`` calls it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt's work factors: CPU/memory cost ``n`` (a power of two), block size ``r`` and
    parallelism ``p``. The default costs about 16 MiB and tens of milliseconds per hash."""

    n: int = 2**14
    r: int = 8
    p: int = 1


DEFAULT_COST = ScryptCost()
SALT_BYTES = 16
DIGEST_BYTES = 32


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(password: str, salt: bytes, cost: ScryptCost, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=256 * cost.n * cost.r * cost.p,
        dklen=length,
    )


def hash_password(password: str, cost: ScryptCost = DEFAULT_COST) -> str:
    """A new salted hash of ``password`` (a fresh random salt each call)."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _digest(password, salt, cost, DIGEST_BYTES)
    return "$".join((SCHEME, str(cost.n), str(cost.r), str(cost.p), _encode(salt), _encode(digest)))


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` (a ``hash_password`` text) was made from;
    ``False`` for anything that is not such a text."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
        salt, expected = _decode(parts[4]), _decode(parts[5])
    except (ValueError, binascii.Error):
        return False
    if not expected or cost.n < 2 or cost.n & (cost.n - 1) or cost.r < 1 or cost.p < 1:
        return False
    try:
        actual = _digest(password, salt, cost, len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)
