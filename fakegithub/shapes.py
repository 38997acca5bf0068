"""GitHub REST JSON shapes, built from the fake's plain records.

Every function takes the server's base URL (``api``, e.g. "http://127.0.0.1:PORT")
and the web URL (``web``, e.g. "https://github.com") so every URL in a payload is
absolute, as on api.github.com.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone

DOCS = "https://docs.github.com/rest"

# Legacy GitHub node ids: base64("<len>:<Type><id>").
def node_id(kind: str, ident: object) -> str:
    raw = f"0{len(kind)}:{kind}{ident}"
    return base64.b64encode(raw.encode()).decode().rstrip("=")


def iso(ts: datetime | float) -> str:
    if not isinstance(ts, datetime):
        ts = datetime.fromtimestamp(ts, timezone.utc)
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


PERMISSION_LEVELS = ("pull", "triage", "push", "maintain", "admin")
ROLE_NAMES = {"pull": "read", "triage": "triage", "push": "write", "maintain": "maintain", "admin": "admin"}
# Legacy single-word permission returned by /collaborators/{user}/permission.
LEGACY_PERMISSION = {"pull": "read", "triage": "read", "push": "write", "maintain": "write", "admin": "admin"}


def permissions_for(level: str | None) -> dict:
    """{admin, maintain, push, triage, pull} booleans for a permission level."""
    rank = PERMISSION_LEVELS.index(level) if level in PERMISSION_LEVELS else -1
    return {name: rank >= PERMISSION_LEVELS.index(name) for name in ("admin", "maintain", "push", "triage", "pull")}


def simple_user(api: str, web: str, user: dict) -> dict:
    login = user["login"]
    u = f"{api}/users/{login}"
    return {
        "login": login,
        "id": user["id"],
        "node_id": node_id(user.get("type", "User"), user["id"]),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user['id']}?v=4",
        "gravatar_id": "",
        "url": u,
        "html_url": f"{web}/{login}",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": user.get("type", "User"),
        "user_view_type": "public",
        "site_admin": False,
    }


def full_user(api: str, web: str, user: dict, private: bool = False) -> dict:
    data = simple_user(api, web, user)
    data.update(
        {
            "name": user.get("name"),
            "company": None,
            "blog": "",
            "location": None,
            "email": user.get("public_email"),
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": iso(user["created_at"]),
            "updated_at": iso(user["created_at"]),
        }
    )
    if private:
        data.update(
            {
                "private_gists": 0,
                "total_private_repos": 0,
                "owned_private_repos": 0,
                "disk_usage": 0,
                "collaborators": 0,
                "two_factor_authentication": True,
                "plan": {"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000},
            }
        )
    return data


def organization(api: str, web: str, org: dict, full: bool = True) -> dict:
    login = org["login"]
    o = f"{api}/orgs/{login}"
    data = {
        "login": login,
        "id": org["id"],
        "node_id": node_id("Organization", org["id"]),
        "url": o,
        "repos_url": f"{o}/repos",
        "events_url": f"{o}/events",
        "hooks_url": f"{o}/hooks",
        "issues_url": f"{o}/issues",
        "members_url": f"{o}/members{{/member}}",
        "public_members_url": f"{o}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org['id']}?v=4",
        "description": org.get("description", ""),
    }
    if full:
        data.update(
            {
                "name": org.get("name", login),
                "company": None,
                "blog": "",
                "location": None,
                "email": None,
                "is_verified": False,
                "has_organization_projects": True,
                "has_repository_projects": True,
                "public_repos": 0,
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "html_url": f"{web}/{login}",
                "created_at": iso(org["created_at"]),
                "updated_at": iso(org["created_at"]),
                "type": "Organization",
            }
        )
    return data


def org_as_owner(api: str, web: str, org: dict) -> dict:
    return simple_user(api, web, {"login": org["login"], "id": org["id"], "type": "Organization"})


def repository(api: str, web: str, repo: dict, org: dict, permissions: dict | None, full: bool = True) -> dict:
    full_name = f"{org['login']}/{repo['name']}"
    r = f"{api}/repos/{full_name}"
    html = f"{web}/{full_name}"
    host = web.split("://", 1)[-1]
    data = {
        "id": repo["id"],
        "node_id": node_id("Repository", repo["id"]),
        "name": repo["name"],
        "full_name": full_name,
        "private": repo["private"],
        "owner": org_as_owner(api, web, org),
        "html_url": html,
        "description": repo["description"] or None,
        "fork": False,
        "url": r,
        "forks_url": f"{r}/forks",
        "keys_url": f"{r}/keys{{/key_id}}",
        "collaborators_url": f"{r}/collaborators{{/collaborator}}",
        "teams_url": f"{r}/teams",
        "hooks_url": f"{r}/hooks",
        "issue_events_url": f"{r}/issues/events{{/number}}",
        "events_url": f"{r}/events",
        "assignees_url": f"{r}/assignees{{/user}}",
        "branches_url": f"{r}/branches{{/branch}}",
        "tags_url": f"{r}/tags",
        "blobs_url": f"{r}/git/blobs{{/sha}}",
        "git_tags_url": f"{r}/git/tags{{/sha}}",
        "git_refs_url": f"{r}/git/refs{{/sha}}",
        "trees_url": f"{r}/git/trees{{/sha}}",
        "statuses_url": f"{r}/statuses/{{sha}}",
        "languages_url": f"{r}/languages",
        "stargazers_url": f"{r}/stargazers",
        "contributors_url": f"{r}/contributors",
        "subscribers_url": f"{r}/subscribers",
        "subscription_url": f"{r}/subscription",
        "commits_url": f"{r}/commits{{/sha}}",
        "git_commits_url": f"{r}/git/commits{{/sha}}",
        "comments_url": f"{r}/comments{{/number}}",
        "issue_comment_url": f"{r}/issues/comments{{/number}}",
        "contents_url": f"{r}/contents/{{+path}}",
        "compare_url": f"{r}/compare/{{base}}...{{head}}",
        "merges_url": f"{r}/merges",
        "archive_url": f"{r}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{r}/downloads",
        "issues_url": f"{r}/issues{{/number}}",
        "pulls_url": f"{r}/pulls{{/number}}",
        "milestones_url": f"{r}/milestones{{/number}}",
        "notifications_url": f"{r}/notifications{{?since,all,participating}}",
        "labels_url": f"{r}/labels{{/name}}",
        "releases_url": f"{r}/releases{{/id}}",
        "deployments_url": f"{r}/deployments",
        "created_at": iso(repo["created_at"]),
        "updated_at": iso(repo["updated_at"]),
        "pushed_at": iso(repo["pushed_at"]),
        "git_url": f"git://{host}/{full_name}.git",
        "ssh_url": f"git@{host}:{full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo["private"] else "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": repo["default_branch"],
    }
    if permissions is not None:
        data["permissions"] = permissions
    if full:
        data["temp_clone_token"] = None
        data["organization"] = org_as_owner(api, web, org)
        data["network_count"] = 0
        data["subscribers_count"] = 0
    data.update(repo.get("overrides", {}))
    return data


def commit(api: str, web: str, full_name: str, c: dict, author: dict | None) -> dict:
    r = f"{api}/repos/{full_name}"
    sha = c["sha"]
    person = {"name": c["author_name"], "email": c["author_email"], "date": iso(c["date"])}
    user = simple_user(api, web, author) if author else None
    return {
        "sha": sha,
        "node_id": node_id("Commit", f"{c['repo_id']}:{sha}"),
        "commit": {
            "author": dict(person),
            "committer": dict(person),
            "message": c["message"],
            "tree": {"sha": c["tree_sha"], "url": f"{r}/git/trees/{c['tree_sha']}"},
            "url": f"{r}/git/commits/{sha}",
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "url": f"{r}/commits/{sha}",
        "html_url": f"{web}/{full_name}/commit/{sha}",
        "comments_url": f"{r}/commits/{sha}/comments",
        "author": user,
        "committer": dict(user) if user else None,
        "parents": [
            {"sha": p, "url": f"{r}/commits/{p}", "html_url": f"{web}/{full_name}/commit/{p}"}
            for p in c["parents"]
        ],
        "stats": {"total": 0, "additions": 0, "deletions": 0},
        "files": [],
    }


def status(api: str, web: str, full_name: str, s: dict, creator: dict) -> dict:
    return {
        "url": f"{api}/repos/{full_name}/statuses/{s['sha']}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{creator['id']}?v=4",
        "id": s["id"],
        "node_id": node_id("StatusContext", s["id"]),
        "state": s["state"],
        "description": s["description"],
        "target_url": s["target_url"],
        "context": s["context"],
        "created_at": iso(s["created_at"]),
        "updated_at": iso(s["created_at"]),
        "creator": simple_user(api, web, creator),
    }


def combined_status(api: str, web: str, repo_json: dict, sha: str, statuses: list[dict]) -> dict:
    """``statuses`` are status JSON objects, newest first."""
    latest: dict[str, dict] = {}
    for s in statuses:
        latest.setdefault(s["context"], s)
    states = [s["state"] for s in latest.values()]
    if any(s in ("error", "failure") for s in states):
        state = "failure"
    elif not states or "pending" in states:
        state = "pending"
    else:
        state = "success"
    return {
        "state": state,
        "statuses": list(latest.values()),
        "sha": sha,
        "total_count": len(latest),
        "repository": {k: v for k, v in repo_json.items() if k not in ("organization", "network_count")},
        "commit_url": f"{repo_json['url']}/commits/{sha}",
        "url": f"{repo_json['url']}/commits/{sha}/status",
    }


def installation(api: str, web: str, inst_id: int, app_id: object, org: dict, permissions: dict) -> dict:
    return {
        "id": inst_id,
        "account": org_as_owner(api, web, org),
        "access_tokens_url": f"{api}/app/installations/{inst_id}/access_tokens",
        "repositories_url": f"{api}/installation/repositories",
        "html_url": f"{web}/organizations/{org['login']}/settings/installations/{inst_id}",
        "app_id": int(app_id) if str(app_id).isdigit() else app_id,
        "app_slug": "cocov-fake",
        "target_id": org["id"],
        "target_type": "Organization",
        "permissions": dict(permissions),
        "events": ["push", "pull_request"],
        "created_at": iso(org["created_at"]),
        "updated_at": iso(org["created_at"]),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "repository_selection": "all",
        "suspended_at": None,
        "suspended_by": None,
    }
