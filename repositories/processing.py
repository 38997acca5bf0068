"""What happens to a pushed commit: ProcessCommitJob's domain."""

import logging

from cocov.manifest import ManifestError, load_manifest
from repositories import checks, statuses
from repositories.cloning import clone_commit
from repositories.models import CheckSet, Commit
from users.models import user_for_email

log = logging.getLogger(__name__)


def process_commit(commit):
    check_set, _ = CheckSet.objects.get_or_create(commit=commit)
    if check_set.is_settled:
        log.info("Commit already processed", extra={"commit_id": commit.id, "status": check_set.status})
        return check_set

    try:
        return _process(commit, check_set)
    except BaseException as error:  # the cluster's timeout is a SystemExit: still leave a clear state
        checks.record_processing_error(check_set, error)
        raise


def _process(commit, check_set):
    link_author(commit)

    try:
        stored = clone_commit(commit)
    except Exception:
        checks.record_fetch_failure(check_set)
        statuses.report_checks(commit, "error", "Could not fetch this commit")
        raise

    try:
        manifest = load_manifest(stored.path)
        if manifest is None:
            checks.record_not_configured(check_set)
            return check_set
        if not manifest.has_checks:
            checks.record_not_configured(check_set)
            statuses.report_checks(commit, "success", "Looking good!")
            return check_set
        secrets = checks.resolve_secrets(commit.repository, manifest)
    except ManifestError as error:
        checks.record_manifest_error(check_set, error)
        statuses.report_checks(commit, "error", error.description)
        return check_set

    statuses.report_checks(commit, "pending", "Checks are running...")
    checks.queue_checks(commit, manifest, secrets, stored.path)
    check_set.refresh_from_db()
    return check_set


def stalled_commits(older_than):
    """Commits registered before `older_than` whose checks were never processed: their job was lost."""
    return Commit.objects.filter(check_set__status=CheckSet.Status.WAITING, created_at__lt=older_than)


def link_author(commit):
    user = user_for_email(commit.author_email)
    if user is not None and commit.user_id != user.id:
        commit.user = user
        commit.save(update_fields=["user", "updated_at"])
