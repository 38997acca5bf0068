"""Fetching one commit with GitPython.

Only the requested commit is fetched, at depth 1.  The remote URL (which may
carry a token) is handed to git through ``GIT_CONFIG_*`` environment variables
as ``remote.origin.url``: it never appears on a command line (visible in ``ps``)
nor in a file on disk.
"""

from __future__ import annotations

import base64
import os

import git

from cocov.git_storage.errors import normalize_sha
from cocov.git_storage.urls import _is_http_url, _url_password

DEFAULT_FETCH_TIMEOUT = 300  # seconds

# Attributes that would make the extracted tree differ from the commit's blobs
# (export-ignore, export-subst, eol conversion, ident, smudge filters such as
# LFS, re-encoding).  $GIT_DIR/info/attributes has the highest precedence, so
# these override any .gitattributes inside the repository.
_RAW_TREE_ATTRIBUTES = "* -export-ignore -export-subst -text -eol -ident -filter -working-tree-encoding\n"


def _git_reason(exc: BaseException) -> str:
    """git's own explanation of a failure (its stderr), else the exception text."""
    if isinstance(exc, git.GitCommandError):
        stderr = (exc.stderr or "").strip()
        if stderr.startswith("stderr: '") and stderr.endswith("'"):
            stderr = stderr[len("stderr: '") : -1]
        stderr = stderr.strip()
        if stderr:
            return " ".join(line.strip() for line in stderr.splitlines() if line.strip())
        return f"git {exc.command[1] if len(exc.command) > 1 else ''} exited with status {exc.status}".strip()
    return str(exc) or type(exc).__name__


def git_env(clone_url: str, token: str | None) -> dict[str, str]:
    config = [
        ("remote.origin.url", clone_url),
        # Protocol v2 lets a file:// (or local path) remote serve any sha by
        # id without uploadpack.allowAnySHA1InWant; v0 refuses unadvertised
        # objects.  It is git's default since 2.26, set explicitly in case a
        # global config says otherwise.  GitHub serves reachable shas.
        ("protocol.version", "2"),
    ]
    if token and _is_http_url(clone_url) and _url_password(clone_url) is None:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        config.append(("http.extraHeader", f"Authorization: Basic {basic}"))
    env = {
        "GIT_TERMINAL_PROMPT": "0",  # fail on bad credentials instead of prompting
        "GIT_ASKPASS": "",  # empty: no askpass program either (not even core.askPass/SSH_ASKPASS)
    }
    start = 0
    try:
        start = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        start = 0
    for i, (key, value) in enumerate(config, start=start):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(config))
    return env


def fetch_args(sha: str) -> list[str]:
    return ["--depth", "1", "--no-tags", "--no-recurse-submodules", "--no-auto-gc", "origin", normalize_sha(sha)]


def fetch(repo: git.Repo, sha: str, clone_url: str, token: str | None, *, timeout: float) -> None:
    """Fetch exactly ``sha`` at depth 1 into ``repo``."""
    repo.git.fetch(
        *fetch_args(sha),
        env=git_env(clone_url, token),
        kill_after_timeout=timeout,
    )
