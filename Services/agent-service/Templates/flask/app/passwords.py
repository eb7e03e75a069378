"""Password hashing of the built-in issuer's accounts: scrypt (``hashlib.scrypt``), a random
16-byte salt per password, and the cost parameters stored with the hash
(``scrypt$<n>$<r>$<p>$<salt>$<hash>``, base64), so they can be raised later without
invalidating existing passwords. n=2^15, r=8, p=3 is one of OWASP's recommended scrypt settings
(about 32 MiB and a few hundred milliseconds per check). Passwords are never logged or returned.

``PASSWORD_HASH_COST`` (log2 of n, 10 to 17, default 15) sets the cost of new hashes; the test
suite lowers it so that its many sign-ins stay fast. Hashes keep their own cost, so lowering or
raising it never locks anyone out. The built-in issuer (the only user of these hashes) is off in
production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from functools import lru_cache

R, P = 8, 3
DEFAULT_COST, MIN_COST, MAX_COST = 15, 10, 17
KEY_BYTES = 32
MAX_MEMORY = 256 * 1024 * 1024


def cost_from_env(env: Mapping[str, str] | None = None) -> int:
    """``PASSWORD_HASH_COST``, log2 of scrypt's n; ValueError naming the setting when it is not a
    whole number from 10 to 17."""
    env = os.environ if env is None else env
    raw = env.get("PASSWORD_HASH_COST", "").strip() or str(DEFAULT_COST)
    if not raw.isdigit() or not MIN_COST <= int(raw) <= MAX_COST:
        raise ValueError(f"PASSWORD_HASH_COST must be a whole number from {MIN_COST} to {MAX_COST}")
    return int(raw)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=KEY_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password at the cost of ``PASSWORD_HASH_COST``, with its
    parameters."""
    n = 2 ** cost_from_env()
    salt = os.urandom(16)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, n, R, P))}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt" or int(n) > 2**MAX_COST:
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
