"""Recording what GitHub tells us was pushed."""

from dataclasses import dataclass

from django.db import transaction

from repositories.models import Branch, CheckSet, Commit


@dataclass(frozen=True)
class PushedCommit:
    sha: str
    message: str
    author_name: str
    author_email: str


def record_push(repository, branch_name, pushed: PushedCommit):
    """Create (or reuse) the pushed commit and point the branch at it. Returns the commit.

    Two deliveries of one push at once make one commit: the unique constraints decide, and
    get_or_create retries the read when it loses the race.
    """
    with transaction.atomic():
        commit, _ = Commit.objects.get_or_create(
            repository=repository,
            sha=pushed.sha,
            defaults={
                "message": pushed.message,
                "author_name": pushed.author_name,
                "author_email": pushed.author_email,
            },
        )
        CheckSet.objects.get_or_create(commit=commit)
        Branch.objects.update_or_create(repository=repository, name=branch_name, defaults={"head": commit})
    return commit


def remove_branch(repository, branch_name):
    deleted, _ = Branch.objects.filter(repository=repository, name=branch_name).delete()
    return bool(deleted)
