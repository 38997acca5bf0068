"""The fake's data: organization, repositories, commits, users, statuses.

Plain dict records, guarded by one re-entrant lock (``State.lock``). JSON shapes
live in :mod:`fakegithub.shapes`; this module only stores and looks things up.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from datetime import datetime, timedelta, timezone

from . import shapes

# Deterministic timestamps for created_at/updated_at of seeded objects.
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)
STATUS_STATES = ("error", "failure", "pending", "success")

# Who "creates" statuses when a token is not bound to a user (app/static tokens).
APP_BOT = {"login": "cocov-fake[bot]", "id": 41898282, "type": "Bot", "created_at": EPOCH}


class State:
    def __init__(self, org: str = "cocov-test"):
        self.lock = threading.RLock()
        self._seq = itertools.count(1)
        self._user_ids = itertools.count(1001)
        self._repo_ids = itertools.count(100001)
        self._status_ids = itertools.count(5000000001)
        self.org = {"login": org, "id": 9000001, "created_at": EPOCH}
        self.repos: dict[int, dict] = {}
        self._by_name: dict[str, int] = {}
        self._redirects: dict[str, int] = {}
        self.users: dict[str, dict] = {}
        self.user_tokens: dict[str, str] = {}
        self.members: dict[str, str] = {}  # lower login -> role
        self.collaborators: dict[int, dict[str, str]] = {}  # repo id -> lower login -> level
        self.commits: dict[int, dict[str, dict]] = {}  # repo id -> sha -> commit
        self._statuses: dict[tuple[int, str], list[dict]] = {}

    # -- organization / repositories ------------------------------------------------

    def is_org(self, owner: str) -> bool:
        return owner.lower() == self.org["login"].lower()

    def add_repo(self, name, id=None, description="", default_branch="master", private=False, **overrides) -> dict:
        with self.lock:
            if name.lower() in self._by_name:
                raise ValueError(f"repository {name!r} already exists")
            repo_id = int(id) if id is not None else next(self._repo_ids)
            if repo_id in self.repos:
                raise ValueError(f"repository id {repo_id} already used")
            seq = next(self._seq)
            created = EPOCH + timedelta(hours=seq)
            self.repos[repo_id] = {
                "id": repo_id,
                "name": name,
                "description": description,
                "default_branch": default_branch,
                "private": bool(private),
                "created_at": created,
                "updated_at": created,
                "pushed_at": created,
                "seq": seq,
                "overrides": dict(overrides),
            }
            self._by_name[name.lower()] = repo_id
            self._redirects.pop(name.lower(), None)
            self.commits.setdefault(repo_id, {})
            self.collaborators.setdefault(repo_id, {})
            return self.repos[repo_id]

    def find_repo(self, name: str) -> dict | None:
        """Current repository by name (case-insensitive), or None."""
        with self.lock:
            repo_id = self._by_name.get(name.lower())
            return self.repos.get(repo_id) if repo_id is not None else None

    def redirect_for(self, name: str) -> dict | None:
        """The repository an old (renamed-away) name now points to, or None."""
        with self.lock:
            repo_id = self._redirects.get(name.lower())
            return self.repos.get(repo_id) if repo_id is not None else None

    def repo_or_redirect(self, name: str) -> dict | None:
        return self.find_repo(name) or self.redirect_for(name)

    def require_repo(self, name: str) -> dict:
        repo = self.repo_or_redirect(name)
        if repo is None:
            raise KeyError(f"no repository {name!r}")
        return repo

    def remove_repo(self, name: str) -> None:
        with self.lock:
            repo = self.find_repo(name)
            if repo is None:
                raise KeyError(f"no repository {name!r}")
            rid = repo["id"]
            del self.repos[rid]
            self._by_name = {k: v for k, v in self._by_name.items() if v != rid}
            self._redirects = {k: v for k, v in self._redirects.items() if v != rid}
            self.commits.pop(rid, None)
            self.collaborators.pop(rid, None)
            for key in [k for k in self._statuses if k[0] == rid]:
                del self._statuses[key]

    def rename_repo(self, old: str, new: str) -> dict:
        with self.lock:
            repo = self.find_repo(old)
            if repo is None:
                raise KeyError(f"no repository {old!r}")
            other = self.find_repo(new)
            if other is not None and other["id"] != repo["id"]:
                raise ValueError(f"repository {new!r} already exists")
            del self._by_name[repo["name"].lower()]
            if repo["name"].lower() != new.lower():
                self._redirects[repo["name"].lower()] = repo["id"]
            repo["name"] = new
            self._by_name[new.lower()] = repo["id"]
            self._redirects.pop(new.lower(), None)
            repo["updated_at"] = datetime.now(timezone.utc).replace(microsecond=0)
            return repo

    def repos_in_order(self) -> list[dict]:
        with self.lock:
            return sorted(self.repos.values(), key=lambda r: r["seq"])

    # -- users / membership --------------------------------------------------------

    def add_user(self, login, id=None, token=None, emails=(), name=None, type="User",
                 scopes=("repo", "read:org", "user:email")) -> dict:
        with self.lock:
            key = login.lower()
            user = self.users.get(key)
            if user is None:
                user = {"login": login, "id": int(id) if id is not None else next(self._user_ids),
                        "type": type, "created_at": EPOCH, "name": name, "emails": [], "public_email": None}
                self.users[key] = user
            else:
                if id is not None:
                    user["id"] = int(id)
                if name is not None:
                    user["name"] = name
            if emails:
                user["emails"] = [_email_entry(e, i == 0) for i, e in enumerate(emails)]
                user["public_email"] = user["emails"][0]["email"]
            user["scopes"] = tuple(scopes)
            if token:
                self.user_tokens[token] = key
            return user

    def find_user(self, login: str) -> dict | None:
        with self.lock:
            return self.users.get(login.lower())

    def ensure_user(self, login: str) -> dict:
        return self.find_user(login) or self.add_user(login)

    def user_for_token(self, token: str) -> dict | None:
        with self.lock:
            key = self.user_tokens.get(token)
            return self.users.get(key) if key else None

    def add_member(self, login: str, role: str = "member") -> dict:
        if role not in ("member", "admin"):
            raise ValueError("role must be 'member' or 'admin'")
        with self.lock:
            user = self.ensure_user(login)
            self.members[login.lower()] = role
            return user

    def remove_member(self, login: str) -> None:
        with self.lock:
            self.members.pop(login.lower(), None)

    def member_users(self) -> list[dict]:
        with self.lock:
            return sorted((self.users[k] for k in self.members), key=lambda u: u["id"])

    def add_collaborator(self, repo: str, login: str, permission: str = "push") -> dict:
        if permission not in shapes.PERMISSION_LEVELS:
            raise ValueError(f"permission must be one of {shapes.PERMISSION_LEVELS}")
        with self.lock:
            r = self.require_repo(repo)
            user = self.ensure_user(login)
            self.collaborators[r["id"]][login.lower()] = permission
            return user

    def collaborator_level(self, repo: dict, login: str) -> str | None:
        with self.lock:
            return self.collaborators.get(repo["id"], {}).get(login.lower())

    def collaborator_users(self, repo: dict) -> list[tuple[dict, str]]:
        with self.lock:
            entries = self.collaborators.get(repo["id"], {})
            return sorted(((self.users[k], lvl) for k, lvl in entries.items()), key=lambda e: e[0]["id"])

    # -- commits / statuses ---------------------------------------------------------

    def add_commit(self, repo, sha, message="", author_name="", author_email="", author_login=None,
                   parents=(), date=None) -> dict:
        with self.lock:
            r = self.require_repo(repo)
            sha = sha.lower()
            if author_login:
                self.ensure_user(author_login)
            c = {
                "repo_id": r["id"],
                "sha": sha,
                "message": message,
                "author_name": author_name,
                "author_email": author_email,
                "author_login": author_login,
                "parents": list(parents),
                "tree_sha": hashlib.sha1(f"tree:{sha}".encode()).hexdigest(),
                "date": date or (EPOCH + timedelta(minutes=next(self._seq))),
            }
            self.commits[r["id"]][sha] = c
            return c

    def find_commit(self, repo: dict, ref: str) -> dict | None:
        """A commit by full SHA or unique prefix (>= 4 hex chars), like GitHub."""
        with self.lock:
            commits = self.commits.get(repo["id"], {})
            ref = ref.lower()
            if ref in commits:
                return commits[ref]
            if len(ref) >= 4:
                matches = [c for sha, c in commits.items() if sha.startswith(ref)]
                if len(matches) == 1:
                    return matches[0]
            return None

    def add_status(self, repo: dict, sha: str, body: dict, creator: dict | None) -> dict:
        with self.lock:
            now = datetime.fromtimestamp(int(time.time()), timezone.utc)
            record = {
                "id": next(self._status_ids),
                "sha": sha,
                "state": body["state"],
                "description": body.get("description"),
                "target_url": body.get("target_url"),
                "context": body.get("context") or "default",
                "created_at": now,
                "creator": creator or APP_BOT,
                "body": dict(body),
            }
            self._statuses.setdefault((repo["id"], sha), []).append(record)
            return record

    def status_records(self, repo: dict, sha: str) -> list[dict]:
        """Status records for a commit, oldest first."""
        with self.lock:
            return list(self._statuses.get((repo["id"], sha.lower()), []))


def _email_entry(entry, primary: bool) -> dict:
    if isinstance(entry, dict):
        out = {"email": entry["email"], "primary": primary, "verified": True, "visibility": None}
        out.update(entry)
        return out
    return {"email": entry, "primary": primary, "verified": True, "visibility": "public" if primary else None}
