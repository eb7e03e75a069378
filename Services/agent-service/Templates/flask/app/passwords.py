"""Password hashing of the built-in issuer's accounts: scrypt (``hashlib.scrypt``), a random
16-byte salt per password, and the cost parameters stored with the hash
(``scrypt$<n>$<r>$<p>$<salt>$<hash>``, base64), so they can be raised later without
invalidating existing passwords. n=2^15, r=8, p=3 is one of OWASP's recommended scrypt settings
(about 32 MiB and a few hundred milliseconds per check). Passwords are never logged or returned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

N, R, P = 2**15, 8, 3
KEY_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=KEY_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password, with its parameters."""
    salt = os.urandom(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, N, R, P))}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, base64.b64decode(expected))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def decoy_hash() -> str:
    """A hash to check against when the account does not exist, so that an unknown username
    takes as long to refuse as a wrong password."""
    return hash_password(os.urandom(16).hex())
