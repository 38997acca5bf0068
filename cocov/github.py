"""GitHub's REST API: building PyGithub clients and posting commit statuses."""

import functools
import logging

from django.conf import settings
from github import Auth, Github, GithubException

log = logging.getLogger(__name__)


class GitHubNotConfigured(Exception):
    pass


@functools.cache
def _app_installation_auth(app_id, private_key, installation_id):
    # Kept for the life of the process: PyGithub caches the installation token and
    # fetches a new one shortly before it expires.
    return Auth.AppAuth(app_id, private_key).get_installation_auth(installation_id)


def auth():
    if settings.COCOV_GITHUB_APP_ID:
        return _app_installation_auth(
            settings.COCOV_GITHUB_APP_ID,
            settings.COCOV_GITHUB_APP_PRIVATE_KEY,
            settings.COCOV_GITHUB_APP_INSTALLATION_ID,
        )
    if settings.COCOV_GITHUB_TOKEN:
        return Auth.Token(settings.COCOV_GITHUB_TOKEN)
    raise GitHubNotConfigured(
        "GitHub credentials are not configured: set COCOV_GITHUB_APP_ID (with its key and installation) "
        "or COCOV_GITHUB_TOKEN"
    )


def client(**options):
    return Github(base_url=settings.COCOV_GITHUB_API_URL, auth=auth(), **options)


def access_token():
    """A token git can clone with (the installation token, or the static one)."""
    credentials = auth()
    if isinstance(credentials, Auth.AppInstallationAuth):
        client()  # hands the auth the requester it mints installation tokens with
    return credentials.token


def organization_repository(name):
    """The organization's repository `name` on GitHub (raises UnknownObjectException when absent)."""
    return client().get_repo(f"{settings.COCOV_GITHUB_ORG_NAME}/{name}")


def post_status(repo_name, sha, *, state, context, description, target_url):
    # Lazy: the status is one POST, with no GET of the repository or commit before it.
    repo = client(lazy=True).get_repo(f"{settings.COCOV_GITHUB_ORG_NAME}/{repo_name}")
    repo.get_commit(sha).create_status(
        state=state, target_url=target_url, description=description, context=context
    )
    log.info("Posted commit status", extra={"repo": repo_name, "sha": sha, "state": state, "context": context})


__all__ = ["GithubException", "GitHubNotConfigured", "client", "organization_repository", "post_status"]
