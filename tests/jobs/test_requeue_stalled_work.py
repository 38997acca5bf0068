from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from coverage_reports.formats.base import ParsedReport
from coverage_reports.holding import accept_report
from coverage_reports.models import CoverageInfo
from coverage_reports.reports import AcceptedReport
from jobs.requeue_stalled_work import RequeueStalledWorkJob
from repositories.models import CheckSet, Commit
from tests.conftest import queued_jobs
from tests.factories import CheckSetFactory, CommitFactory

pytestmark = pytest.mark.django_db


def age(model, pk, field, minutes):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(minutes=minutes)})


def test_commits_whose_job_never_ran_are_queued_again():
    stalled = CheckSetFactory().commit
    recent = CheckSetFactory().commit
    done = CheckSetFactory(status=CheckSet.Status.QUEUED).commit
    for commit in (stalled, done):
        age(Commit, commit.pk, "created_at", 30)
    age(Commit, recent.pk, "created_at", 2)

    assert RequeueStalledWorkJob.run() == {"commits": 1, "coverage_reports": 0}
    assert queued_jobs() == [("ProcessCommitJob", (stalled.id,))]


def test_coverage_reports_whose_job_never_ran_are_queued_again():
    commit = CommitFactory()
    queued = accept_report(commit.repository, commit.sha,
                           AcceptedReport.from_parsed(ParsedReport("cocov", files={"a.py": [1]})))
    coverage = CoverageInfo.objects.get(commit=commit)
    assert RequeueStalledWorkJob.run()["coverage_reports"] == 0  # not stalled yet
    age(CoverageInfo, coverage.pk, "updated_at", 30)

    assert RequeueStalledWorkJob.run() == {"commits": 0, "coverage_reports": 1}
    [(name, (repo_id, sha, blob))] = queued_jobs("ProcessCoverageJob")
    assert (repo_id, sha, blob) == (commit.repository_id, commit.sha, queued.blob)


def test_migrate_schedules_it_every_five_minutes():
    schedule = Schedule.objects.get(name="RequeueStalledWorkJob")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "jobs.requeue_stalled_work.RequeueStalledWorkJob.run", Schedule.MINUTES, 5)
