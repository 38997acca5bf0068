"""Clone URLs: building them (with a token) and reading the credentials they carry."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


def _url_password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        return parts.password or parts.username
    except ValueError:
        return None


def _is_http_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def clone_url_for(git_base_url: str, org: str, repo_name: str, token: str | None = None) -> str:
    """``{base}/{org}/{repo}.git``.

    With a token and an http(s) base the token is embedded as
    ``x-access-token:TOKEN@host`` (GitHub's convention for app/installation
    tokens; the base's scheme, port and path prefix are kept).  ``file://``
    bases, local paths and other schemes never take a token.
    """
    base = git_base_url.rstrip("/")
    url = f"{base}/{org}/{repo_name}.git"
    if not token or not _is_http_url(base):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"x-access-token:{quote(token, safe='')}@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
