"""Encryption of PII columns at rest (Fernet: AES-128-CBC + HMAC-SHA256, key PII_ENCRYPTION_KEY).

PII columns are ``bytea``; the application encrypts the value's text form before it is written
and decrypts it after it is read, so the database, its backups and the audit log never hold the
clear value. Generate a key with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

Fernet encryption is randomised, so equal values give different ciphertexts and a unique index
on them would never fire. A PII field that must be unique therefore also gets a *blind index*:
``<field>_hash bytea``, the HMAC-SHA256 of the value under a key derived from
PII_ENCRYPTION_KEY, on which the migration puts the per-tenant unique index.

To rotate keys, wrap the old and the new key in ``cryptography.fernet.MultiFernet``, re-encrypt,
and recompute the blind indexes.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class PIICipher:
    def __init__(self, key: str):
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            raise ValueError("PII_ENCRYPTION_KEY must be a url-safe base64 Fernet key of 32 bytes") from None
        raw = key.encode() if isinstance(key, str) else key
        self._index_key = hashlib.sha256(b"app.blind-index\x00" + raw).digest()

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def blind_index(self, text: str) -> bytes:
        """A keyed hash of a value: equal values, equal hashes (for unique PII fields)."""
        return hmac.new(self._index_key, text.encode("utf-8"), hashlib.sha256).digest()

    def decrypt(self, token: bytes | memoryview) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            raise ValueError("a PII value cannot be decrypted with PII_ENCRYPTION_KEY") from None
