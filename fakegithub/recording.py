"""What the fake saw: one RecordedRequest per REST call, with credentials redacted."""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field

REDACTED = "<redacted>"
SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-hub-signature", "x-hub-signature-256"}


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    headers: dict
    json: object = None
    # Authorization scheme as sent ("token", "bearer", "basic", ...) or None; never the credential.
    auth_scheme: str | None = None
    # Who the request authenticated as ("static:0", "installation:42", "user:alice", "app:1"), or None.
    auth_subject: str | None = None
    status: int | None = None  # filled in once answered
    route: str | None = None  # name of the matched endpoint, None when unknown
    extra: dict = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.auth_subject is not None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["authenticated"] = self.authenticated
        return data


def redact_headers(headers) -> dict:
    out = {}
    for name, value in headers.items():
        out[name] = REDACTED if name.lower() in SECRET_HEADERS else value
    return out


def flatten_query(pairs: list[tuple[str, str]]) -> dict:
    """{name: value}, or {name: [values...]} when a parameter repeats."""
    out: dict = {}
    for k, v in pairs:
        if k in out:
            out[k] = out[k] + [v] if isinstance(out[k], list) else [out[k], v]
        else:
            out[k] = v
    return out


class Recorder:
    def __init__(self):
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def add(self, rec: RecordedRequest) -> None:
        with self._lock:
            self._items.append(rec)

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def matching(self, method: str | None, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        want = (method or "*").upper()
        return [r for r in self.all() if want in ("*", r.method) and pattern.search(r.path)]
