"""Registering one of the organization's repositories with Cocov."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
import requests
from github import GithubException, UnknownObjectException

from cocov import github
from repositories.models import Repository


class RegistrationError(Exception):
    pass


@dataclass(frozen=True)
class RegisteredRepository:
    repository: Repository
    token: str


# GitHub's own rule for repository names.
REPOSITORY_NAME = re.compile(r"\A[A-Za-z0-9._-]{1,100}\Z")


def register_repository(name) -> RegisteredRepository:
    if not REPOSITORY_NAME.match(name) or name in (".", ".."):
        raise RegistrationError(
            f"Repository name must be a name in {settings.COCOV_GITHUB_ORG_NAME} (letters, digits, . _ -), "
            f"not {name[:100]!r}"
        )
    if Repository.objects.filter(name__iexact=name).exists():
        raise RegistrationError(f"Repository {name} is already registered")
    try:
        remote = github.organization_repository(name)
        github_id, description, default_branch = remote.id, remote.description, remote.default_branch
        real_name = remote.name
    except UnknownObjectException:
        raise RegistrationError(f"Repository {settings.COCOV_GITHUB_ORG_NAME}/{name} was not found on GitHub") from None
    except GithubException as error:
        raise RegistrationError(f"GitHub answered {error.status} when asked for {name}") from None
    except requests.RequestException as error:
        raise RegistrationError(f"GitHub could not be reached when asked for {name}: {type(error).__name__}") from None

    with transaction.atomic():
        if Repository.objects.filter(github_id=github_id).exists():
            raise RegistrationError(f"Repository {real_name} is already registered (GitHub id {github_id})")
        repository = Repository(
            name=real_name, github_id=github_id, description=description or "", default_branch=default_branch or ""
        )
        token = repository.issue_token()
        repository.save()
    return RegisteredRepository(repository=repository, token=token)
