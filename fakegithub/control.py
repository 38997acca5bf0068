"""``/_fake/`` control endpoints (no auth) for driving the fake from another process."""

from __future__ import annotations

from urllib.parse import unquote


def handle(fake, method: str, path: str, body) -> tuple[int, object]:
    """(status, JSON body or None) for a control request."""
    try:
        return _dispatch(fake, method, path, body if body is not None else {})
    except (TypeError, ValueError, KeyError) as e:
        return 400, {"message": f"{type(e).__name__}: {e}"}


def _dispatch(fake, method, path, body):
    parts = [unquote(p) for p in path.strip("/").split("/")[1:]]
    key = (method, parts[0] if parts else "")
    if key == ("GET", "health"):
        return 200, {"ok": True, "url": fake.url}
    if key == ("GET", "requests"):
        return 200, [r.to_dict() for r in fake.requests]
    if key == ("DELETE", "requests"):
        fake.clear_requests()
        return 204, None
    if key == ("POST", "state"):
        fake.load_state(_obj(body))
        return 204, None
    if key == ("POST", "repos") and len(parts) == 1:
        return 201, fake.add_repo(**_obj(body))
    if key == ("DELETE", "repos") and len(parts) == 2:
        fake.remove_repo(parts[1])
        return 204, None
    if key == ("POST", "repos") and len(parts) == 3 and parts[2] == "rename":
        return 200, fake.rename_repo(parts[1], _obj(body)["new"])
    if key == ("POST", "commits"):
        return 201, fake.add_commit(**_obj(body))
    if key == ("POST", "users"):
        return 201, fake.add_user(**_obj(body))
    if key == ("POST", "members"):
        return 201, fake.add_member(**_obj(body))
    if key == ("POST", "collaborators"):
        return 201, fake.add_collaborator(**_obj(body))
    if key == ("POST", "tokens"):
        fake.add_token(_obj(body)["token"])
        return 204, None
    if key == ("POST", "fail"):
        fake.fail(**_obj(body))
        return 201, {"pending_faults": fake.pending_faults}
    if key == ("POST", "rate_limit"):
        fake.rate_limit(**_obj(body))
        return 201, {"pending_faults": fake.pending_faults}
    if key == ("DELETE", "faults"):
        fake.clear_faults()
        return 204, None
    if key == ("GET", "statuses") and len(parts) == 3:
        return 200, fake.statuses(parts[1], parts[2])
    if key == ("GET", "minted_tokens"):
        # Never the token values: only what a test may assert on.
        return 200, [{"installation_id": t.installation_id, "expires_at": t.expires_at.isoformat(),
                      "permissions": t.permissions} for t in fake.minted_tokens]
    return 404, {"message": "Not Found", "known": _KNOWN}


def _obj(body):
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


_KNOWN = [
    "GET /_fake/health", "GET|DELETE /_fake/requests", "POST /_fake/state", "POST /_fake/repos",
    "DELETE /_fake/repos/{name}", "POST /_fake/repos/{name}/rename", "POST /_fake/commits",
    "POST /_fake/users", "POST /_fake/members", "POST /_fake/collaborators", "POST /_fake/tokens",
    "POST /_fake/fail", "POST /_fake/rate_limit", "DELETE /_fake/faults",
    "GET /_fake/statuses/{repo}/{sha}", "GET /_fake/minted_tokens",
]
