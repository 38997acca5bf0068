from coverage_reports.holding import forget_expired_reports
from jobs.base import Job


class ForgetExpiredHeldReportsJob(Job):
    """Deletes coverage reports held past their two hours for a commit that never came (a pull
    request's merge commit, say). Scheduled hourly by a migration of this app."""

    name = "ForgetExpiredHeldReportsJob"

    def perform(self):
        return {"forgotten": forget_expired_reports()}
