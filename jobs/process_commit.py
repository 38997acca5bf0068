from jobs.base import Job
from repositories.models import Commit
from repositories.processing import process_commit


class ProcessCommitJob(Job):
    """Clones the commit, reads its manifest, queues its checks for the Worker, links its author
    and reports a commit status to GitHub."""

    name = "ProcessCommitJob"

    def perform(self, commit_id):
        process_commit(Commit.objects.select_related("repository").get(pk=commit_id))
