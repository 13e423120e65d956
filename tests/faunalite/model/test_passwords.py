"""``faunalite.model.passwords``: salted scrypt hashes that record their own cost."""

from __future__ import annotations

import hashlib

import pytest

from faunalite.model.passwords import (
    DEFAULT_COST,
    ScryptCost,
    hash_password,
    password_matches,
)

# Cheap work factors: the tests check the scheme, not scrypt's strength.
CHEAP = ScryptCost(n=2**4, r=1, p=1)


def test_a_hash_matches_its_password_only() -> None:
    stored = hash_password("correct horse", CHEAP)
    assert password_matches("correct horse", stored)
    for other in ("correct horse ", "Correct horse", "", "correct hors"):
        assert not password_matches(other, stored)


def test_a_hash_records_its_scheme_cost_and_salt_and_never_the_password() -> None:
    stored = hash_password("hunter2", CHEAP)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16", "1", "1")
    assert "hunter2" not in stored
    assert len(salt) == 22 and len(digest) == 43  # 16 and 32 bytes, unpadded base64


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_password("same", CHEAP), hash_password("same", CHEAP)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert password_matches("same", first) and password_matches("same", second)


def test_verification_uses_the_recorded_cost() -> None:
    """A hash made with other work factors still verifies: the cost travels with it."""
    older = hash_password("pw", ScryptCost(n=2**5, r=2, p=1))
    assert password_matches("pw", older)
    assert not password_matches("pw", older.replace("$32$", "$16$", 1))


def test_the_digest_is_scrypt_of_the_salt() -> None:
    import base64

    stored = hash_password("pw", CHEAP)
    _, _, _, _, salt, digest = stored.split("$")
    raw_salt = base64.urlsafe_b64decode(salt + "==")
    expected = hashlib.scrypt(b"pw", salt=raw_salt, n=16, r=1, p=1, dklen=32)
    assert base64.urlsafe_b64decode(digest + "=") == expected


def test_the_default_cost_is_a_slow_hash() -> None:
    assert DEFAULT_COST.n >= 2**14 and DEFAULT_COST.r >= 8
    assert hash_password("pw").split("$")[1:4] == ["16384", "8", "1"]


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "pw",
        "bcrypt$16$1$1$AAAA$AAAA",
        "scrypt$16$1$1$AAAA",
        "scrypt$x$1$1$AAAA$AAAA",
        "scrypt$15$1$1$AAAA$AAAA",  # n must be a power of two
        "scrypt$16$0$1$AAAA$AAAA",
        "scrypt$16$1$1$AAAA$",
        "scrypt$16$1$1$A$AAAA",  # not base64
    ],
)
def test_anything_else_matches_nothing(stored: str) -> None:
    assert not password_matches("pw", stored)


def test_a_tampered_digest_matches_nothing() -> None:
    stored = hash_password("pw", CHEAP)
    head, digest = stored.rsplit("$", 1)
    flipped = ("B" if digest[0] == "A" else "A") + digest[1:]
    assert not password_matches("pw", f"{head}${flipped}")
