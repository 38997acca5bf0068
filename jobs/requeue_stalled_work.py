from datetime import timedelta

from django.utils import timezone

from coverage_reports.holding import stalled_reports
from jobs.base import Job
from jobs.process_commit import ProcessCommitJob
from jobs.process_coverage import ProcessCoverageJob
from repositories.processing import stalled_commits

# Longer than a healthy queue takes to start a job; both jobs are safe to run twice.
STALLED_AFTER = timedelta(minutes=10)


class RequeueStalledWorkJob(Job):
    """Queues again the work whose job never reached the queue (the queue was down right after a
    webhook or upload committed). Scheduled every five minutes by a migration of this app."""

    name = "RequeueStalledWorkJob"

    def perform(self):
        older_than = timezone.now() - STALLED_AFTER
        commits = list(stalled_commits(older_than).values_list("id", flat=True))
        for commit_id in commits:
            ProcessCommitJob.enqueue_now(commit_id)
        reports = stalled_reports(older_than)
        for commit, blob in reports:
            ProcessCoverageJob.enqueue_now(commit.repository_id, commit.sha, blob)
        return {"commits": len(commits), "coverage_reports": len(reports)}
