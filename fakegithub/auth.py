"""Credentials: static tokens, user tokens, GitHub App JWTs and minted installation tokens."""

from __future__ import annotations

import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import jwt

# What an installation token may do unless the request asks for less.
DEFAULT_APP_PERMISSIONS = {
    "checks": "write",
    "contents": "read",
    "members": "read",
    "metadata": "read",
    "statuses": "write",
}
JWT_MAX_LIFETIME = 600  # GitHub rejects JWTs expiring more than 10 minutes ahead.
CLOCK_LEEWAY = 60


class AuthError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Identity:
    """Who a request authenticated as. ``kind``: static, installation, user or app."""

    kind: str
    subject: str  # e.g. "static:0", "installation:42", "user:alice", "app:123"
    user: dict | None = None
    installation_id: int | None = None


@dataclass
class MintedToken:
    token: str
    installation_id: int
    expires_at: datetime
    permissions: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # never print the secret
        return f"MintedToken(token='ghs_…', installation_id={self.installation_id}, expires_at={self.expires_at!r})"


def split_authorization(header: str | None) -> tuple[str | None, str | None]:
    """("token"|"bearer"|"basic"|other scheme lowercased, credential) from an Authorization header."""
    if not header:
        return None, None
    scheme, _, cred = header.strip().partition(" ")
    return scheme.lower(), cred.strip() or None


def looks_like_jwt(cred: str | None) -> bool:
    return bool(cred) and cred.count(".") == 2


class Authenticator:
    def __init__(self, tokens=(), app_id=None, app_public_key_pem=None, installation_id=None,
                 token_lifetime=3600, app_permissions=None):
        self._lock = threading.Lock()
        self.static_tokens = list(tokens)
        self.app_id = app_id
        self.app_public_key_pem = app_public_key_pem
        self.installation_id = installation_id
        self.token_lifetime = token_lifetime
        self.app_permissions = dict(app_permissions or DEFAULT_APP_PERMISSIONS)
        self.minted_tokens: list[MintedToken] = []
        self._by_token: dict[str, MintedToken] = {}

    def add_token(self, token: str) -> None:
        with self._lock:
            if token not in self.static_tokens:
                self.static_tokens.append(token)

    # -- REST tokens ---------------------------------------------------------------

    def identify(self, header: str | None, user_lookup) -> Identity:
        """Identity for a REST request, or raise AuthError(401)."""
        scheme, cred = split_authorization(header)
        if scheme is None:
            raise AuthError(401, "Requires authentication")
        if scheme not in ("token", "bearer") or not cred:
            raise AuthError(401, "Bad credentials")
        with self._lock:
            if cred in self.static_tokens:
                return Identity("static", f"static:{self.static_tokens.index(cred)}")
            minted = self._by_token.get(cred)
        if minted is not None:
            if minted.expires_at.timestamp() <= time.time():
                raise AuthError(401, "Bad credentials")
            return Identity("installation", f"installation:{minted.installation_id}",
                            installation_id=minted.installation_id)
        user = user_lookup(cred)
        if user is not None:
            return Identity("user", f"user:{user['login']}", user=user)
        raise AuthError(401, "Bad credentials")

    # -- GitHub App ----------------------------------------------------------------

    def verify_app_jwt(self, header: str | None) -> Identity:
        scheme, cred = split_authorization(header)
        undecodable = AuthError(401, "A JSON web token could not be decoded")
        if scheme != "bearer" or not looks_like_jwt(cred) or not self.app_public_key_pem:
            raise undecodable
        try:
            payload = jwt.decode(
                cred,
                self.app_public_key_pem,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise undecodable from None
        now = time.time()
        exp, iat = payload.get("exp"), payload.get("iat")
        if not isinstance(exp, (int, float)) or exp <= now:
            raise AuthError(401, "'Expiration time' claim ('exp') must be a numeric value representing "
                                 "the future time at which the assertion expires")
        if exp > now + JWT_MAX_LIFETIME + CLOCK_LEEWAY:
            raise AuthError(401, "'Expiration time' claim ('exp') is too far in the future")
        if not isinstance(iat, (int, float)) or iat > now + CLOCK_LEEWAY:
            raise AuthError(401, "'Issued at' claim ('iat') must be an Integer representing the time "
                                 "that the assertion was issued")
        if str(payload.get("iss")) != str(self.app_id):
            raise undecodable
        return Identity("app", f"app:{self.app_id}")

    def installation_known(self, inst_id: int) -> bool:
        return self.installation_id is None or int(self.installation_id) == int(inst_id)

    def mint(self, inst_id: int, requested: dict | None) -> MintedToken:
        permissions = dict(self.app_permissions)
        if requested:
            for name, level in requested.items():
                granted = self.app_permissions.get(name)
                if granted is None or (level == "write" and granted == "read") or level not in ("read", "write"):
                    raise AuthError(422, "The permissions requested are not granted to this installation.")
            permissions = dict(requested)
        alphabet = string.ascii_letters + string.digits
        token = "ghs_" + "".join(secrets.choice(alphabet) for _ in range(36))
        expires = datetime.fromtimestamp(int(time.time()) + int(self.token_lifetime), timezone.utc)
        minted = MintedToken(token, int(inst_id), expires, permissions)
        with self._lock:
            self.minted_tokens.append(minted)
            self._by_token[token] = minted
        return minted
