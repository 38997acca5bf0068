from django.db.models import Sum

from repositories.models import Commit, Repository


def update_commits_size(repository):
    # Computed from scratch each time, so one run after a burst of clones is enough.
    total = Commit.objects.filter(repository=repository).aggregate(total=Sum("clone_size"))["total"] or 0
    Repository.objects.filter(pk=repository.pk).update(commits_size=total)
    return total
