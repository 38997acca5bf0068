from jobs.base import Job
from repositories.models import Repository
from repositories.sizes import update_commits_size


class ComputeRepositoryCommitsSizeJob(Job):
    """Sets the repository's commits_size to the sum of its commits' clone sizes."""

    name = "ComputeRepositoryCommitsSizeJob"

    def perform(self, repository_id):
        update_commits_size(Repository.objects.get(pk=repository_id))
