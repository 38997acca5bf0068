"""Errors of git storage, commit id validation and scrubbing of credentials from messages."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

_SHA_RE = re.compile(r"\A(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\Z")
# scheme://userinfo@ -> scheme://***@
_URL_USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@'\"]+@")


class CommitFetchError(Exception):
    """A commit could not be fetched or stored.  The message never contains credentials."""


class InvalidSha(ValueError):
    """The given commit id is not 40 or 64 hexadecimal characters."""


def normalize_sha(sha: object) -> str:
    """Return ``sha`` lowercased, or raise :class:`InvalidSha`."""
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise InvalidSha(f"Invalid commit sha: {sha!r}"[:200])
    return sha.lower()


def scrub_credentials(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Replace the given secrets and any ``user:pass@`` part of URLs by ``***``."""
    for secret in secrets:
        if secret:
            variants = {secret, quote(secret, safe=""), base64.b64encode(f"x-access-token:{secret}".encode()).decode()}
            for variant in sorted(variants, key=len, reverse=True):
                text = text.replace(variant, "***")
    return _URL_USERINFO_RE.sub(r"\g<scheme>***@", text)
