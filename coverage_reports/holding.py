"""Reports that arrive before their commit: held two hours in Django's database cache.

Uploads and pushes of one (repository, sha) take the same lock, inside their transactions, and the
cache table is written in those transactions too. So whichever comes second sees what the first
did: a report is either held until the commit comes, or queued once, never stranded or doubled.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from cocov.locks import lock_commit_key
from coverage_reports.models import CoverageInfo
from coverage_reports.reports import AcceptedReport
from repositories.models import Commit

HOLD_SECONDS = 2 * 60 * 60


class HoldFailed(Exception):
    pass


@dataclass(frozen=True)
class QueuedReport:
    """A report queued for its commit: the caller enqueues ProcessCoverageJob(repo, sha, blob)."""

    commit: Commit
    blob: bytes


HELD_KEY_PREFIX = "cocov:held_coverage:"


def held_coverage_key(repository_id, sha):
    return f"{HELD_KEY_PREFIX}{repository_id}:{sha}"


def accept_report(repository, sha, report: AcceptedReport):
    """Hold the report (returns None) or queue it for its known commit (returns a QueuedReport)."""
    key = held_coverage_key(repository.id, sha)
    blob = report.to_blob()
    with transaction.atomic():
        lock_commit_key(repository.id, sha)
        commit = Commit.objects.filter(repository=repository, sha=sha).first()
        cache.delete(key)  # a newer upload replaces a held one
        if commit is None:
            if not cache.add(key, (str(report.id), blob), HOLD_SECONDS):
                raise HoldFailed(f"could not hold the report for {sha}")
            return None
        mark_queued(commit, report.id, blob)
        return QueuedReport(commit, blob)


def release_held_report(commit):
    """The report held for this commit, taken out of the cache and queued (a QueuedReport), or None.

    Call it inside the transaction that registered the commit.
    """
    key = held_coverage_key(commit.repository_id, commit.sha)
    with transaction.atomic():
        lock_commit_key(commit.repository_id, commit.sha)
        held = cache.get(key)
        if held is None:
            return None
        cache.delete(key)
        report_id, blob = held
        mark_queued(commit, report_id, blob)
        return QueuedReport(commit, blob)


def mark_queued(commit, report_id, blob):
    coverage, _ = CoverageInfo.objects.get_or_create(commit=commit)
    coverage.status = CoverageInfo.Status.QUEUED
    coverage.report_id = report_id
    coverage.pending_report = blob
    coverage.error = ""
    coverage.save(update_fields=["status", "report_id", "pending_report", "error", "updated_at"])


def stalled_reports(older_than):
    """(commit, blob) of reports queued before `older_than` and still not processed: their job was lost."""
    stalled = (
        CoverageInfo.objects.filter(status=CoverageInfo.Status.QUEUED, updated_at__lt=older_than)
        .exclude(pending_report=None)
        .select_related("commit")
    )
    return [(coverage.commit, bytes(coverage.pending_report)) for coverage in stalled]


def forget_expired_reports():
    """Delete held reports past their two hours (Django's database cache only deletes expired rows when
    it culls, which it never needs to here). Returns how many were deleted."""
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    pattern = f"%{HELD_KEY_PREFIX}%"  # the cache stores keys as <prefix>:<version>:<key>
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s AND cache_key LIKE %s", [now, pattern])
        return cursor.rowcount
