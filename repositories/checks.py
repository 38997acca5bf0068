"""Turning a manifest into a commit's checks and the job Cocov's Worker runs."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cocov import dispatch
from cocov.crypto import digest, random_token
from cocov.manifest import ManifestError
from repositories.models import Check, CheckSet, Secret, SecretAuthorization

SECRET_AUTHORIZATION_LIFETIME = timedelta(days=7)


def resolve_secrets(repository, manifest):
    """The secrets the manifest mounts, by name: the repository's own first, then the organization's."""
    wanted = manifest.secret_names()
    found = {}
    for secret in Secret.objects.visible_to(repository).filter(name__in=wanted):
        if secret.name not in found or secret.scope == Secret.Scope.REPOSITORY:
            found[secret.name] = secret
    manifest.require_secrets(set(found))
    return found


def record_manifest_error(check_set, error: ManifestError):
    """Reset the check set and mark it failed with the manifest's problem."""
    with transaction.atomic():
        check_set.checks.all().delete()
        check_set.secret_authorizations.all().delete()
        _settle(check_set, CheckSet.Status.FAILURE, error_kind=error.kind, error_extra=error.extra or "")


def record_fetch_failure(check_set):
    _settle(check_set, CheckSet.Status.FAILURE, error_kind="commit_fetch_failed")


def record_processing_error(check_set, error):
    """A check set the job could not finish: errored, with the reason (only while still waiting)."""
    CheckSet.objects.filter(pk=check_set.pk, status=CheckSet.Status.WAITING).update(
        status=CheckSet.Status.ERRORED, error_kind="processing_failed", error_extra=describe_error(error),
        finished_at=timezone.now(), updated_at=timezone.now(),
    )


def describe_error(error):
    text = f"{type(error).__name__}: {error}"
    return "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in text)[:1000]


def record_not_configured(check_set):
    _settle(check_set, CheckSet.Status.NOT_CONFIGURED)


def _settle(check_set, status, error_kind="", error_extra=""):
    check_set.status = status
    check_set.error_kind = error_kind
    check_set.error_extra = error_extra
    check_set.job_id = None
    check_set.finished_at = timezone.now() if status != CheckSet.Status.NOT_CONFIGURED else None
    check_set.save(update_fields=["status", "error_kind", "error_extra", "job_id", "finished_at", "updated_at"])


def queue_checks(commit, manifest, secrets, storage_path):
    """Create the commit's checks and hand the job to the Worker once this transaction commits.

    Returns the Worker payload, or None when another run already queued them.
    """
    job_id = str(uuid.uuid4())
    try:
        return _queue_checks(commit, manifest, secrets, storage_path, job_id)
    except dispatch.DispatchFailed as error:
        # Committed, but the Worker never got the job: errored, so that a retry queues it again.
        CheckSet.objects.filter(commit=commit, job_id=job_id).update(
            status=CheckSet.Status.ERRORED, error_kind="worker_dispatch_failed", error_extra=describe_error(error),
            updated_at=timezone.now(),
        )
        raise


def _queue_checks(commit, manifest, secrets, storage_path, job_id):
    with transaction.atomic():
        # Claiming the check set with a conditional UPDATE makes two concurrent runs queue it once.
        claimed = (
            CheckSet.objects.filter(commit=commit)
            .exclude(status__in=CheckSet.SETTLED)
            .update(status=CheckSet.Status.QUEUED, job_id=job_id, error_kind="", error_extra="",
                    started_at=None, finished_at=None, canceling=False, updated_at=timezone.now())
        )
        if not claimed:
            return None
        check_set = CheckSet.objects.get(commit=commit)
        check_set.checks.all().delete()
        check_set.secret_authorizations.all().delete()
        expires_at = timezone.now() + SECRET_AUTHORIZATION_LIFETIME
        checks = []
        for spec in manifest.checks:
            Check.objects.create(check_set=check_set, plugin_name=spec.name)
            mounts = [_authorize_mount(check_set, secrets[m.secret_name], m.destination, expires_at) for m in spec.mounts]
            checks.append({"plugin": spec.plugin, "envs": dict(spec.envs), "mounts": mounts or None})
        payload = {
            "check_set_id": check_set.id,
            "job_id": job_id,
            "org": settings.COCOV_GITHUB_ORG_NAME,
            "repo": commit.repository.name,
            "repo_id": commit.repository_id,
            "sha": commit.sha,
            "checks": checks,
            "git_storage": {"mode": settings.COCOV_GIT_SERVICE_STORAGE_MODE, "path": str(storage_path)},
        }
        dispatch.send(dispatch.CHECKS_QUEUE, payload)
    return payload


def _authorize_mount(check_set, secret, target, expires_at):
    token = random_token(SecretAuthorization.TOKEN_PREFIX)
    SecretAuthorization.objects.create(
        secret=secret, check_set=check_set, token_digest=digest(token), target=target, expires_at=expires_at
    )
    return {"kind": "secret", "authorization": token, "target": target}
