"""Putting a commit's tree where Cocov's Worker reads it."""

import logging

from django.conf import settings

from cocov import github
from cocov.git_storage import clone_url_for, git_storage
from repositories.models import Commit

log = logging.getLogger(__name__)


def clone_commit(commit):
    """Store the commit in git storage (once) and record its clone status and size."""
    storage = git_storage()
    if commit.clone_status == Commit.CloneStatus.COMPLETED and storage.is_stored(commit.repository.name, commit.sha):
        return storage.stored_commit(commit.repository.name, commit.sha)

    _set_clone_status(commit, Commit.CloneStatus.IN_PROGRESS)
    try:
        token = _git_token()
        stored = storage.store_commit(commit.repository.name, commit.sha, _clone_url(commit, token), token=token)
    except Exception:
        _set_clone_status(commit, Commit.CloneStatus.ERRORED)
        raise
    commit.clone_status = Commit.CloneStatus.COMPLETED
    commit.clone_size = stored.size
    commit.save(update_fields=["clone_status", "clone_size", "updated_at"])
    return stored


def _set_clone_status(commit, status):
    commit.clone_status = status
    commit.save(update_fields=["clone_status", "updated_at"])


def _clone_url(commit, token):
    # https://x-access-token:<token>@host/org/repo.git; git gets it through its environment, never on a
    # command line, and every error message is scrubbed of it.
    return clone_url_for(
        settings.COCOV_GITHUB_GIT_URL, settings.COCOV_GITHUB_ORG_NAME, commit.repository.name, token=token
    )


def _git_token():
    if settings.COCOV_GITHUB_GIT_URL.startswith(("http://", "https://")):
        return github.access_token()
    return None
