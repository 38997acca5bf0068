"""FakeGitHub: the HTTP server, request pipeline and public Python API."""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import control, shapes
from .auth import AuthError, Authenticator, split_authorization
from .faults import Fault, FaultInjector, RateCounter, failure, rate_limited
from .recording import Recorder, RecordedRequest, flatten_query, redact_headers
from .routes import ApiError, Call, RestApi, not_found
from .state import State

JSON_TYPE = "application/json; charset=utf-8"


class FakeGitHub:
    """A fake GitHub REST API on 127.0.0.1, for PyGithub (``Github(base_url=fake.url, ...)``).

    The listening socket is bound when the object is created (so ``url`` is known
    immediately); ``start()`` begins serving in a daemon thread, ``stop()`` closes it.
    """

    def __init__(self, org="cocov-test", tokens=("ghs_testtoken",), app_id=None, app_public_key_pem=None,
                 installation_id=None, token_lifetime=3600, per_page_default=30, *, host="127.0.0.1", port=0,
                 web_url="https://github.com", strict_commits=False, app_permissions=None, verbose=False):
        if isinstance(tokens, str):
            tokens = (tokens,)
        if isinstance(app_public_key_pem, bytes):
            app_public_key_pem = app_public_key_pem.decode()
        self.state = State(org)
        self.auth = Authenticator(tokens, app_id, app_public_key_pem, installation_id, token_lifetime,
                                  app_permissions)
        self.rates = RateCounter()
        self.api = RestApi(self.state, self.auth, self.rates, per_page_default, web_url.rstrip("/"),
                           strict_commits)
        self.faults = FaultInjector()
        self.recorder = Recorder()
        self.errors: list[str] = []  # tracebacks of exceptions inside handlers (fake bugs)
        self.verbose = verbose
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def start(self) -> "FakeGitHub":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"fakegithub:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "FakeGitHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- state ---------------------------------------------------------------------

    def _repo_json(self, repo: dict) -> dict:
        return self.api.repo_json(repo, None, self.url)

    def add_repo(self, name, id=None, description="", default_branch="master", private=False, **overrides) -> dict:
        """Add a repository to the org; returns its JSON (as a static token sees it).

        Extra keyword arguments override fields of the JSON (e.g. ``archived=True``, ``fork=True``).
        """
        repo = self.state.add_repo(name, id, description, default_branch, private, **overrides)
        return self._repo_json(repo)

    def remove_repo(self, name) -> None:
        self.state.remove_repo(name)

    def rename_repo(self, old, new) -> dict:
        """Rename; the old name then answers 301 → /repositories/{id}, as on GitHub."""
        return self._repo_json(self.state.rename_repo(old, new))

    def add_commit(self, repo, sha, message="", author_name="", author_email="", author_login=None,
                   parents=()) -> dict:
        c = self.state.add_commit(repo, sha, message, author_name, author_email, author_login, parents)
        r = self.state.require_repo(repo)
        author = self.state.find_user(author_login) if author_login else None
        return shapes.commit(self.url, self.api.web_url, f"{self.state.org['login']}/{r['name']}", c, author)

    def add_user(self, login, id=None, token=None, emails=(), name=None, type="User",
                 scopes=("repo", "read:org", "user:email")) -> dict:
        """Add (or update) a user; ``token`` makes GET /user, /user/emails answer as this user."""
        user = self.state.add_user(login, id, token, emails, name, type, scopes)
        return shapes.full_user(self.url, self.api.web_url, user)

    def add_member(self, login, role="member") -> dict:
        """Make ``login`` an org member (``role``: member/admin); creates the user if needed."""
        return shapes.simple_user(self.url, self.api.web_url, self.state.add_member(login, role))

    def remove_member(self, login) -> None:
        self.state.remove_member(login)

    def add_collaborator(self, repo, login, permission="push") -> dict:
        """``permission``: admin, maintain, push, triage or pull. Creates the user if needed."""
        return shapes.simple_user(self.url, self.api.web_url, self.state.add_collaborator(repo, login, permission))

    def add_token(self, token) -> None:
        """Accept another static (app-like, not user-bound) token."""
        self.auth.add_token(token)

    def statuses(self, repo, sha) -> list[dict]:
        """Request bodies of statuses posted for (repo, sha), oldest first."""
        with self.state.lock:
            r = self.state.require_repo(repo)
            c = self.state.find_commit(r, sha)
            return [dict(s["body"]) for s in self.state.status_records(r, c["sha"] if c else sha)]

    def load_state(self, data: dict) -> None:
        """Seed from a dict: {"repos": [...], "users": [...], "members": [...],
        "collaborators": [...], "commits": [...], "tokens": [...]} (each item: kwargs of the add_* call;
        members may be plain logins)."""
        for kw in data.get("repos", ()):
            self.add_repo(**kw)
        for kw in data.get("users", ()):
            self.add_user(**kw)
        for m in data.get("members", ()):
            self.add_member(**m) if isinstance(m, dict) else self.add_member(m)
        for kw in data.get("collaborators", ()):
            self.add_collaborator(**kw)
        for kw in data.get("commits", ()):
            self.add_commit(**kw)
        for t in data.get("tokens", ()):
            self.add_token(t)

    @property
    def minted_tokens(self) -> list:
        return list(self.auth.minted_tokens)

    # -- recording / faults --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.all()

    def clear_requests(self) -> None:
        self.recorder.clear()

    def requests_to(self, method, path_regex) -> list[RecordedRequest]:
        """Recorded requests with that method ("*"/None: any) whose path matches ``re.search``."""
        return self.recorder.matching(method, path_regex)

    def fail(self, method, path_regex, status=500, times=1, body=None, headers=None, delay=0.0) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        ``body``: None → {"message": <reason>, "documentation_url"}; dict/list → JSON; str → sent verbatim
        as text/html (like a proxy error page). ``delay`` seconds are slept before answering.
        """
        self.faults.add(method, path_regex, times, failure(status, body, headers, delay))

    def rate_limit(self, method, path_regex, times=1, secondary=False, status=None, reset_in=60,
                   retry_after=60) -> None:
        """Primary: 403 + X-RateLimit-Remaining: 0, Reset now+``reset_in``. Secondary: 403 (or ``status``,
        e.g. 429) + Retry-After: ``retry_after``."""
        self.faults.add(method, path_regex, times, rate_limited(secondary, status, reset_in, retry_after))

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def pending_faults(self) -> int:
        return self.faults.pending


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeGitHub

    def __init__(self, *args, **kwargs):
        self._conns: set = set()
        self._conns_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def track(self, conn, alive: bool) -> None:
        with self._conns_lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    def server_close(self) -> None:
        """Also drop idle keep-alive connections, so a stopped fake really stops answering."""
        super().server_close()
        with self._conns_lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github.com"
    sys_version = ""
    timeout = 60  # idle keep-alive connections
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def setup(self):
        super().setup()
        self.server.track(self.connection, True)

    def finish(self):
        self.server.track(self.connection, False)
        super().finish()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if self.server.fake.verbose:
            sys.stderr.write(f"fakegithub: {self.address_string()} {format % args}\n")

    def do_GET(self):
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    # -- pipeline ------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        fake = self.server.fake
        request_id = _request_id()
        try:
            split = urlsplit(self.path)
            path = split.path.rstrip("/") or "/"
            query = parse_qsl(split.query, keep_blank_values=True)
            raw = self._read_body()
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                body = None
            if path.startswith("/_fake/") or path == "/_fake":
                status, payload = control.handle(fake, self.command, path, body)
                return self._send(status, payload, {"X-GitHub-Request-Id": request_id})
            self._handle_rest(fake, path, query, body, raw, request_id)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # a bug in the fake: answer 500 and keep the traceback for the tests
            fake.errors.append(traceback.format_exc())
            if fake.verbose:
                traceback.print_exc()
            try:
                self._send(500, {"message": "Server Error", "documentation_url": shapes.DOCS}, {})
            except OSError:
                pass

    def _handle_rest(self, fake, path, query, body, raw, request_id):
        method = self.command
        route, params = fake.api.match(method, path)
        header = self.headers.get("Authorization")
        scheme, _ = split_authorization(header)
        identity, auth_error = None, None
        try:
            if route is not None and route.app_auth:
                identity = fake.auth.verify_app_jwt(header)
            else:
                identity = fake.auth.identify(header, fake.state.user_for_token)
        except AuthError as e:
            auth_error = e
        rec = RecordedRequest(method, path, flatten_query(query), redact_headers(self.headers), body,
                              auth_scheme=scheme, auth_subject=identity.subject if identity else None,
                              route=route.name if route else None)
        fake.recorder.add(rec)
        subject = identity.subject if identity else None
        headers = {"X-GitHub-Request-Id": request_id}
        count = not (route is not None and route.name == "rate_limit")
        headers.update(fake.rates.headers(subject, count=count))

        make = fake.faults.take(method, path)
        if make is not None:
            fault: Fault = make(request_id, subject)
            if fault.delay:
                time.sleep(fault.delay)
            headers.update(fault.headers)
            rec.status = fault.status
            return self._send(fault.status, fault.body, headers)
        if auth_error is not None:
            rec.status = auth_error.status
            return self._send(auth_error.status, {"message": auth_error.message, "documentation_url": shapes.DOCS},
                              headers)
        try:
            if route is None:
                raise not_found()
            call = Call(method, path, query, body, identity, fake.url, raw)
            with fake.state.lock:
                reply = route.handler(call, **params)
            status, payload = reply.status, reply.body
            headers.update(reply.headers)
        except ApiError as e:
            status, payload = e.status, e.body
            headers.update(e.headers)
        rec.status = status
        self._send(status, payload, headers)

    def _send(self, status: int, payload, headers: dict):
        if isinstance(payload, str):
            data, ctype = payload.encode(), "text/html; charset=utf-8"
        elif payload is None:
            data, ctype = b"", JSON_TYPE
        else:
            data, ctype = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), JSON_TYPE
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
        if status == 200 and self.command == "GET":
            self.send_header("ETag", f'W/"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("Cache-Control", "private, max-age=60, s-maxage=60")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if status != 204 and self.command != "HEAD":
            self.wfile.write(data)


def _request_id() -> str:
    h = secrets.token_hex(12).upper()
    return f"{h[0:4]}:{h[4:8]}:{h[8:14]}:{h[14:20]}:{int(time.time()):X}"
