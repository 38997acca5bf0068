"""Failures on demand (``fail``/``rate_limit``) and the X-RateLimit-* bookkeeping."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from .shapes import DOCS

REASONS = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Validation Failed",
    429: "Too Many Requests",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
RATE_LIMIT = 5000
ANON_RATE_LIMIT = 60
WINDOW = 3600


@dataclass
class Fault:
    """A canned response. ``body``: dict/list → JSON; str → sent verbatim (text/html)."""

    status: int
    body: object
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class _Rule:
    method: str
    pattern: re.Pattern
    remaining: int
    make: object  # callable(request_id, subject) -> Fault


class FaultInjector:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def add(self, method: str, path_regex: str, times: int, make) -> None:
        with self._lock:
            self._rules.append(_Rule(method.upper(), re.compile(path_regex), int(times), make))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str):
        """The maker of the first live rule matching (method, path), consuming one use."""
        with self._lock:
            for rule in self._rules:
                if rule.remaining > 0 and rule.method in ("*", method.upper()) and rule.pattern.search(path):
                    rule.remaining -= 1
                    return rule.make
            self._rules = [r for r in self._rules if r.remaining > 0]
        return None

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(r.remaining for r in self._rules)


def failure(status: int, body=None, headers=None, delay: float = 0.0):
    def make(request_id: str, subject: str | None) -> Fault:
        payload = body if body is not None else {"message": REASONS.get(status, "Error"), "documentation_url": DOCS}
        return Fault(status, payload, dict(headers or {}), delay)
    return make


def rate_limited(secondary: bool = False, status: int | None = None, reset_in: int = 60, retry_after: int = 60):
    def make(request_id: str, subject: str | None) -> Fault:
        if secondary:
            message = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                       f"again. If you reach out to GitHub Support for help, please include the request ID "
                       f"{request_id}.")
            return Fault(status or 403, {"message": message,
                                         "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/"
                                                              "overview/rate-limits-for-the-rest-api"},
                         {"Retry-After": str(retry_after)})
        who = _who(subject)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        message = (f"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, please "
                   f"include the request ID {request_id} and timestamp {stamp}.")
        headers = {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(time.time()) + int(reset_in)),
            "X-RateLimit-Used": str(RATE_LIMIT),
            "X-RateLimit-Resource": "core",
        }
        return Fault(status or 403, {"message": message,
                                     "documentation_url": "https://docs.github.com/rest/overview/"
                                                          "rate-limits-for-the-rest-api"}, headers)
    return make


def _who(subject: str | None) -> str:
    if not subject:
        return "127.0.0.1"
    kind, _, ident = subject.partition(":")
    if kind == "installation":
        return f"installation ID {ident}"
    if kind == "user":
        return f"user {ident}"
    return "installation ID 1"


class RateCounter:
    """Per-credential request counts in hourly windows, for the X-RateLimit-* headers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # subject -> (window start, used)

    def headers(self, subject: str | None, count: bool = True) -> dict:
        key = subject or "anonymous"
        limit = RATE_LIMIT if subject else ANON_RATE_LIMIT
        now = int(time.time())
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + WINDOW:
                start, used = now, 0
            if count:
                used += 1
            self._windows[key] = (start, used)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset": str(start + WINDOW),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
        }
