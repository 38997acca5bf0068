import json

from django.core.management.base import BaseCommand, CommandError

from cocov.dispatch import CHECKS_QUEUE, redact_authorizations
from cocov.models import OutboxMessage
from repositories.models import Commit


class Command(BaseCommand):
    help = "Show what Cocov knows of a commit: clone, checks, coverage. --json for machines."

    def add_arguments(self, parser):
        parser.add_argument("repository")
        parser.add_argument("sha")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, repository, sha, **options):
        commit = (
            Commit.objects.select_related("repository", "user")
            .filter(repository__name__iexact=repository, sha=sha.lower())
            .first()
        )
        if commit is None:
            raise CommandError(not_found_message(repository, sha))
        description = describe(commit)
        if options["json"]:
            self.stdout.write(json.dumps(description, indent=2, default=str))
            return
        for key, value in description.items():
            self.stdout.write(f"{key:>16}: {value}")


def not_found_message(repository_name, sha):
    from django.core.cache import cache

    from coverage_reports.holding import held_coverage_key
    from repositories.models import Repository

    repository = Repository.objects.filter(name__iexact=repository_name).first()
    if repository is None:
        return f"No repository named {repository_name} (give its name, without the organization)"
    if cache.get(held_coverage_key(repository.id, sha.lower())) is not None:
        return (f"No commit {sha} in {repository.name} yet; a coverage report is held for it until "
                "its push arrives (two hours at most)")
    return f"No commit {sha} in repository {repository.name}"


def describe(commit):
    check_set = getattr(commit, "check_set", None)
    return {
        "repository": commit.repository.name,
        "sha": commit.sha,
        "author": f"{commit.author_name} <{commit.author_email}>",
        "user": commit.user.login if commit.user else None,
        "clone_status": commit.clone_status,
        "clone_size": commit.clone_size,
        "commits_size": commit.repository.commits_size,
        "check_set": None
        if check_set is None
        else {
            "status": check_set.status,
            "job_id": check_set.job_id,
            "error_kind": check_set.error_kind or None,
            "error_extra": check_set.error_extra or None,
            "checks": [{"plugin_name": c.plugin_name, "status": c.status} for c in check_set.checks.order_by("id")],
        },
        "coverage": describe_coverage(commit),
        "worker_jobs": [
            {"queued_at": message.created_at.isoformat(), "payload": redact_authorizations(message.payload)}
            for message in OutboxMessage.objects.filter(queue=CHECKS_QUEUE, payload__sha=commit.sha).order_by("id")
            if message.payload.get("repo_id") == commit.repository_id
        ],
    }


def describe_coverage(commit):
    coverage = getattr(commit, "coverage", None)
    if coverage is None:
        return None
    return {
        "status": coverage.status,
        "format": coverage.format or None,
        "percent_covered": round(coverage.percent_covered, 2),
        "lines_covered": coverage.lines_covered,
        "lines_total": coverage.lines_total,
        "minimum_coverage": commit.minimum_coverage,
        "warning": coverage.warning or None,
        "error": coverage.error or None,
        "files": [
            {"file": f.file, "lines_covered": f.lines_covered, "lines_total": f.lines_total}
            for f in coverage.files.order_by("file")
        ],
    }

