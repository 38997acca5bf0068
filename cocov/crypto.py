"""Encryption at rest for secrets and tokens (AES-GCM with COCOV_CRYPTOGRAPHIC_KEY)."""

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "aesgcm:"


def _cipher():
    key = settings.COCOV_CRYPTOGRAPHIC_KEY
    if not key:
        raise ImproperlyConfigured("COCOV_CRYPTOGRAPHIC_KEY is required to store secrets and tokens")
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


class DecryptionFailed(Exception):
    pass


def decrypt(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        raise DecryptionFailed("A stored value is not in Cocov's encrypted format")
    raw = base64.b64decode(stored[len(_PREFIX) :])
    try:
        return _cipher().decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        raise DecryptionFailed(
            "COCOV_CRYPTOGRAPHIC_KEY does not decrypt a stored secret or token: was the key changed?"
        ) from None


def digest(value: str) -> str:
    """A keyed digest for looking tokens up without storing them in clear."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def random_token(prefix: str, nbytes: int = 32) -> str:
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


class EncryptedTextField(models.TextField):
    """Stores text encrypted; reads give the clear text back. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
