from coverage_reports.processing import process_coverage
from jobs.base import Job
from repositories.models import Repository


class ProcessCoverageJob(Job):
    """Computes a commit's coverage from an accepted report, stores it, and reports the
    `cocov/coverage` status to GitHub."""

    name = "ProcessCoverageJob"

    def perform(self, repository_id, sha, report):
        process_coverage(Repository.objects.get(pk=repository_id), sha, report)
