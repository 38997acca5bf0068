import hashlib
import hmac


def is_valid_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Checks X-Hub-Signature-256 (`sha256=<hex HMAC of the raw body>`) in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
