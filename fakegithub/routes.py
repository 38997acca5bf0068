"""The REST endpoints: a route table of (method, path regex) → handler.

Handlers get a :class:`Call` and return a :class:`Reply` or raise :class:`ApiError`.
They run with ``State.lock`` held, so each request sees a consistent snapshot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from . import shapes
from .auth import AuthError, Identity
from .pagination import paginate
from .shapes import DOCS
from .state import STATUS_STATES

STATUS_DOCS = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
COMMIT_DOCS = "https://docs.github.com/rest/commits/commits#get-a-commit"
INTEGRATION_FORBIDDEN = "Resource not accessible by integration"


class ApiError(Exception):
    def __init__(self, status: int, message: str, documentation_url: str = DOCS, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, **extra, "documentation_url": documentation_url}
        self.headers = dict(headers or {})


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


@dataclass
class Reply:
    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)


@dataclass
class Call:
    method: str
    path: str
    query_pairs: list
    json: object
    identity: Identity | None
    base_url: str
    raw_body: bytes = b""

    @property
    def query(self) -> dict:
        return dict(self.query_pairs)


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    name: str
    handler: object
    app_auth: bool = False  # authenticated with the GitHub App JWT instead of a token


class RestApi:
    def __init__(self, state, auth, rates, per_page_default=30, web_url="https://github.com",
                 strict_commits=False):
        self.state = state
        self.auth = auth
        self.rates = rates
        self.per_page_default = per_page_default
        self.web_url = web_url
        self.strict_commits = strict_commits
        self.routes: list[Route] = []
        R = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        add = self._add
        add("GET", r"/rate_limit", "rate_limit", self.rate_limit)
        add("GET", r"/app", "get_app", self.get_app, app_auth=True)
        add("GET", r"/app/installations", "list_installations", self.list_installations, app_auth=True)
        add("GET", r"/app/installations/(?P<inst>\d+)", "get_installation", self.get_installation, app_auth=True)
        add("POST", r"/app/installations/(?P<inst>\d+)/access_tokens", "create_access_token",
            self.create_access_token, app_auth=True)
        add("GET", r"/orgs/(?P<org>[^/]+)/installation", "org_installation", self.org_installation, app_auth=True)
        add("GET", R + r"/installation", "repo_installation", self.repo_installation, app_auth=True)
        add("GET", r"/orgs/(?P<org>[^/]+)", "get_org", self.get_org)
        add("GET", r"/orgs/(?P<org>[^/]+)/repos", "list_org_repos", self.list_org_repos)
        add("GET", r"/orgs/(?P<org>[^/]+)/members", "list_members", self.list_members)
        add("GET", r"/orgs/(?P<org>[^/]+)/members/(?P<login>[^/]+)", "check_member", self.check_member)
        add("GET", r"/orgs/(?P<org>[^/]+)/memberships/(?P<login>[^/]+)", "get_membership", self.get_membership)
        add("GET", r"/user", "get_authenticated_user", self.get_authenticated_user)
        add("GET", r"/user/emails", "list_emails", self.list_emails)
        add("GET", r"/user/memberships/orgs/(?P<org>[^/]+)", "get_own_membership", self.get_own_membership)
        add("GET", r"/users/(?P<login>[^/]+)", "get_user", self.get_user)
        add("GET", R, "get_repo", self.get_repo)
        add("GET", R + r"/commits/(?P<ref>[^/]+)", "get_commit", self.get_commit)
        add("GET", R + r"/commits/(?P<ref>[^/]+)/statuses", "list_statuses", self.list_statuses)
        add("GET", R + r"/commits/(?P<ref>[^/]+)/status", "combined_status", self.combined_status)
        add("GET", R + r"/statuses/(?P<ref>[^/]+)", "list_statuses", self.list_statuses)
        add("POST", R + r"/statuses/(?P<ref>[^/]+)", "create_status", self.create_status)
        add("GET", R + r"/collaborators", "list_collaborators", self.list_collaborators)
        add("GET", R + r"/collaborators/(?P<login>[^/]+)", "check_collaborator", self.check_collaborator)
        add("GET", R + r"/collaborators/(?P<login>[^/]+)/permission", "collaborator_permission",
            self.collaborator_permission)

    def _add(self, method, regex, name, handler, app_auth=False):
        self.routes.append(Route(method, re.compile(f"^{regex}$"), name, handler, app_auth))

    def match(self, method: str, path: str):
        """(route, params) for a request, or (None, None). Also maps /repositories/{id}/..."""
        path = self.canonical_path(path)
        for route in self.routes:
            m = route.pattern.match(path)
            if m and route.method == method:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}
        return None, None

    def canonical_path(self, path: str) -> str:
        m = re.match(r"^/repositories/(\d+)(/.*)?$", path)
        if m:
            repo = self.state.repos.get(int(m.group(1)))
            if repo is not None:
                return f"/repos/{self.state.org['login']}/{repo['name']}{m.group(2) or ''}"
        return path

    # -- helpers -------------------------------------------------------------------

    def _page(self, call: Call, items: list) -> Reply:
        chunk, link = paginate(items, call.query_pairs, call.base_url, call.path, self.per_page_default)
        return Reply(200, chunk, {"Link": link} if link else {})

    def _org(self, org: str) -> dict:
        if not self.state.is_org(org):
            raise not_found()
        return self.state.org

    def _user_can_see(self, identity: Identity, repo: dict) -> bool:
        if identity is None or identity.kind != "user" or not repo["private"]:
            return True
        login = identity.user["login"]
        return login.lower() in self.state.members or self.state.collaborator_level(repo, login) is not None

    def _permissions(self, identity: Identity, repo: dict) -> dict:
        if identity is None or identity.kind != "user":
            return shapes.permissions_for("admin")
        login = identity.user["login"].lower()
        if self.state.members.get(login) == "admin":
            return shapes.permissions_for("admin")
        level = self.state.collaborator_level(repo, login)
        if level is None:
            level = "pull" if (not repo["private"] or login in self.state.members) else None
        return shapes.permissions_for(level)

    def _repo(self, call: Call, owner: str, name: str) -> dict:
        """The repository for a request; 301 to /repositories/{id} for a renamed one."""
        if not self.state.is_org(owner):
            raise not_found()
        repo = self.state.find_repo(name)
        if repo is None:
            moved = self.state.redirect_for(name)
            if moved is not None and self._user_can_see(call.identity, moved):
                suffix = re.sub(r"^/repos/[^/]+/[^/]+", "", call.path)
                location = f"{call.base_url}/repositories/{moved['id']}{suffix}"
                raise ApiError(301, "Moved Permanently", "https://docs.github.com/v3/#http-redirects",
                               headers={"Location": location}, url=location)
            raise not_found()
        if not self._user_can_see(call.identity, repo):
            raise not_found()
        return repo

    def repo_json(self, repo: dict, identity: Identity | None, base_url: str, full: bool = True) -> dict:
        perms = self._permissions(identity, repo)
        return shapes.repository(base_url, self.web_url, repo, self.state.org, perms, full=full)

    def _full_name(self, repo: dict) -> str:
        return f"{self.state.org['login']}/{repo['name']}"

    def _user_json(self, call: Call, user: dict) -> dict:
        return shapes.simple_user(call.base_url, self.web_url, user)

    def _require_user_token(self, call: Call) -> dict:
        if call.identity.kind != "user":
            raise ApiError(403, INTEGRATION_FORBIDDEN, "https://docs.github.com/rest/users/users"
                                                       "#get-the-authenticated-user")
        return call.identity.user

    def _resolve_sha(self, repo: dict, ref: str) -> str:
        c = self.state.find_commit(repo, ref)
        return c["sha"] if c else ref.lower()

    # -- rate limit / app ----------------------------------------------------------

    def rate_limit(self, call: Call) -> Reply:
        h = self.rates.headers(call.identity.subject if call.identity else None, count=False)
        core = {"limit": int(h["X-RateLimit-Limit"]), "remaining": int(h["X-RateLimit-Remaining"]),
                "reset": int(h["X-RateLimit-Reset"]), "used": int(h["X-RateLimit-Used"]), "resource": "core"}
        return Reply(200, {"resources": {"core": core}, "rate": core})

    def get_app(self, call: Call) -> Reply:
        app_id = self.auth.app_id
        return Reply(200, {"id": int(app_id) if str(app_id).isdigit() else app_id, "slug": "cocov-fake",
                           "node_id": shapes.node_id("App", app_id), "name": "Cocov (fake)",
                           "owner": shapes.org_as_owner(call.base_url, self.web_url, self.state.org),
                           "description": "", "external_url": self.web_url,
                           "html_url": f"{self.web_url}/apps/cocov-fake",
                           "created_at": shapes.iso(self.state.org["created_at"]),
                           "updated_at": shapes.iso(self.state.org["created_at"]),
                           "permissions": dict(self.auth.app_permissions), "events": ["push", "pull_request"]})

    def _installation_json(self, call: Call, inst_id: int) -> dict:
        return shapes.installation(call.base_url, self.web_url, inst_id, self.auth.app_id, self.state.org,
                                   self.auth.app_permissions)

    def _default_installation(self) -> int:
        return int(self.auth.installation_id) if self.auth.installation_id is not None else 1

    def list_installations(self, call: Call) -> Reply:
        return self._page(call, [self._installation_json(call, self._default_installation())])

    def get_installation(self, call: Call, inst: str) -> Reply:
        if not self.auth.installation_known(int(inst)):
            raise not_found()
        return Reply(200, self._installation_json(call, int(inst)))

    def org_installation(self, call: Call, org: str) -> Reply:
        self._org(org)
        return Reply(200, self._installation_json(call, self._default_installation()))

    def repo_installation(self, call: Call, owner: str, repo: str) -> Reply:
        self._repo(call, owner, repo)
        return Reply(200, self._installation_json(call, self._default_installation()))

    def create_access_token(self, call: Call, inst: str) -> Reply:
        if not self.auth.installation_known(int(inst)):
            raise not_found()
        body = call.json if isinstance(call.json, dict) else {}
        try:
            minted = self.auth.mint(int(inst), body.get("permissions") or None)
        except AuthError as e:
            raise ApiError(e.status, e.message) from None
        return Reply(201, {"token": minted.token, "expires_at": shapes.iso(minted.expires_at),
                           "permissions": dict(minted.permissions), "repository_selection": "all"})

    # -- organization / users ------------------------------------------------------

    def get_org(self, call: Call, org: str) -> Reply:
        return Reply(200, shapes.organization(call.base_url, self.web_url, self._org(org)))

    def list_org_repos(self, call: Call, org: str) -> Reply:
        self._org(org)
        q = call.query
        kind = q.get("type", "all")
        repos = [r for r in self.state.repos_in_order() if self._user_can_see(call.identity, r)]
        if kind == "public":
            repos = [r for r in repos if not r["private"]]
        elif kind == "private":
            repos = [r for r in repos if r["private"]]
        elif kind == "forks":
            repos = [r for r in repos if r["overrides"].get("fork")]
        elif kind == "sources":
            repos = [r for r in repos if not r["overrides"].get("fork")]
        sort = q.get("sort", "created")
        direction = q.get("direction", "asc" if sort == "full_name" else "desc")
        if sort == "full_name":
            repos.sort(key=lambda r: r["name"].lower())
        elif sort in ("updated", "pushed"):
            repos.sort(key=lambda r: (r[f"{sort}_at"], r["seq"]))
        else:
            repos.sort(key=lambda r: r["seq"])
        if direction == "desc":
            repos.reverse()
        items = [self.repo_json(r, call.identity, call.base_url, full=False) for r in repos]
        return self._page(call, items)

    def list_members(self, call: Call, org: str) -> Reply:
        self._org(org)
        users = self.state.member_users()
        role = call.query.get("role", "all")
        if role in ("admin", "member"):
            users = [u for u in users if self.state.members[u["login"].lower()] == role]
        return self._page(call, [self._user_json(call, u) for u in users])

    def check_member(self, call: Call, org: str, login: str) -> Reply:
        self._org(org)
        if login.lower() in self.state.members:
            return Reply(204)
        raise not_found()

    def _membership(self, call: Call, login: str) -> dict:
        role = self.state.members.get(login.lower())
        if role is None:
            raise not_found()
        org = self.state.org
        user = self.state.find_user(login)
        return {
            "url": f"{call.base_url}/orgs/{org['login']}/memberships/{user['login']}",
            "state": "active",
            "role": role,
            "organization_url": f"{call.base_url}/orgs/{org['login']}",
            "organization": shapes.organization(call.base_url, self.web_url, org, full=False),
            "user": self._user_json(call, user),
        }

    def get_membership(self, call: Call, org: str, login: str) -> Reply:
        self._org(org)
        return Reply(200, self._membership(call, login))

    def get_own_membership(self, call: Call, org: str) -> Reply:
        user = self._require_user_token(call)
        self._org(org)
        return Reply(200, self._membership(call, user["login"]))

    def get_authenticated_user(self, call: Call) -> Reply:
        user = self._require_user_token(call)
        body = shapes.full_user(call.base_url, self.web_url, user, private=True)
        return Reply(200, body, {"X-OAuth-Scopes": ", ".join(user.get("scopes", ())), "X-Accepted-OAuth-Scopes": ""})

    def list_emails(self, call: Call) -> Reply:
        user = self._require_user_token(call)
        if "user:email" not in user.get("scopes", ()) and "user" not in user.get("scopes", ()):
            raise ApiError(404, "Not Found")
        return self._page(call, [dict(e) for e in user["emails"]])

    def get_user(self, call: Call, login: str) -> Reply:
        if self.state.is_org(login):
            return Reply(200, shapes.organization(call.base_url, self.web_url, self.state.org))
        user = self.state.find_user(login)
        if user is None:
            raise not_found()
        return Reply(200, shapes.full_user(call.base_url, self.web_url, user))

    # -- repositories / commits / statuses -----------------------------------------

    def get_repo(self, call: Call, owner: str, repo: str) -> Reply:
        r = self._repo(call, owner, repo)
        return Reply(200, self.repo_json(r, call.identity, call.base_url))

    def get_commit(self, call: Call, owner: str, repo: str, ref: str) -> Reply:
        r = self._repo(call, owner, repo)
        c = self.state.find_commit(r, ref)
        if c is None and ref == r["default_branch"]:
            commits = list(self.state.commits.get(r["id"], {}).values())
            c = max(commits, key=lambda x: x["date"]) if commits else None
        if c is None:
            raise ApiError(422, f"No commit found for SHA: {ref}", COMMIT_DOCS)
        author = self.state.find_user(c["author_login"]) if c["author_login"] else None
        return Reply(200, shapes.commit(call.base_url, self.web_url, self._full_name(r), c, author))

    def _status_items(self, call: Call, r: dict, sha: str) -> list[dict]:
        records = self.state.status_records(r, sha)
        full = self._full_name(r)
        return [shapes.status(call.base_url, self.web_url, full, s, s["creator"]) for s in reversed(records)]

    def list_statuses(self, call: Call, owner: str, repo: str, ref: str) -> Reply:
        r = self._repo(call, owner, repo)
        return self._page(call, self._status_items(call, r, self._resolve_sha(r, ref)))

    def combined_status(self, call: Call, owner: str, repo: str, ref: str) -> Reply:
        r = self._repo(call, owner, repo)
        c = self.state.find_commit(r, ref)
        if c is None and self.strict_commits:
            raise ApiError(422, f"No commit found for SHA: {ref}", COMMIT_DOCS)
        sha = c["sha"] if c else ref.lower()
        items = self._status_items(call, r, sha)
        repo_json = self.repo_json(r, call.identity, call.base_url, full=False)
        return Reply(200, shapes.combined_status(call.base_url, self.web_url, repo_json, sha, items))

    def create_status(self, call: Call, owner: str, repo: str, ref: str) -> Reply:
        r = self._repo(call, owner, repo)
        body = call.json
        if not isinstance(body, dict):
            raise ApiError(400, "Problems parsing JSON", STATUS_DOCS)
        errors = []
        state = body.get("state")
        if state not in STATUS_STATES:
            errors.append({"resource": "Status", "code": "custom", "field": "state",
                           "message": "state is not included in the list"})
        for name in ("target_url", "description", "context"):
            if body.get(name) is not None and not isinstance(body.get(name), str):
                errors.append({"resource": "Status", "code": "invalid", "field": name})
        if isinstance(body.get("description"), str) and len(body["description"]) > 140:
            errors.append({"resource": "Status", "code": "custom", "field": "description",
                           "message": "description is too long (maximum is 140 characters)"})
        if errors:
            raise ApiError(422, "Validation Failed", STATUS_DOCS, errors=errors)
        c = self.state.find_commit(r, ref)
        if c is None and self.strict_commits:
            raise ApiError(422, f"No commit found for SHA: {ref}", STATUS_DOCS)
        sha = c["sha"] if c else ref.lower()
        creator = call.identity.user if call.identity and call.identity.kind == "user" else None
        record = self.state.add_status(r, sha, body, creator)
        return Reply(201, shapes.status(call.base_url, self.web_url, self._full_name(r), record, record["creator"]))

    # -- collaborators -------------------------------------------------------------

    def list_collaborators(self, call: Call, owner: str, repo: str) -> Reply:
        r = self._repo(call, owner, repo)
        wanted = call.query.get("permission")
        items = []
        for user, level in self.state.collaborator_users(r):
            if wanted and not shapes.permissions_for(level).get(wanted):
                continue
            data = self._user_json(call, user)
            data["permissions"] = shapes.permissions_for(level)
            data["role_name"] = shapes.ROLE_NAMES[level]
            items.append(data)
        return self._page(call, items)

    def check_collaborator(self, call: Call, owner: str, repo: str, login: str) -> Reply:
        r = self._repo(call, owner, repo)
        if self.state.collaborator_level(r, login) is None:
            raise not_found()
        return Reply(204)

    def collaborator_permission(self, call: Call, owner: str, repo: str, login: str) -> Reply:
        r = self._repo(call, owner, repo)
        user = self.state.find_user(login)
        if user is None:
            raise not_found()
        level = self.state.collaborator_level(r, login)
        data = self._user_json(call, user)
        data["permissions"] = shapes.permissions_for(level)
        data["role_name"] = shapes.ROLE_NAMES.get(level, "none")
        return Reply(200, {"permission": shapes.LEGACY_PERMISSION.get(level, "none"),
                           "role_name": shapes.ROLE_NAMES.get(level, "none"), "user": data})
