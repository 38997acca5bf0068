import re

from coverage_reports.holding import release_held_report
from jobs.process_commit import ProcessCommitJob
from jobs.process_coverage import ProcessCoverageJob
from repositories.models import Repository
from repositories.pushes import PushedCommit, record_push, remove_branch
from webhooks.registry import InvalidPayload, WebhookHandler, field, wants

BRANCH_PREFIX = "refs/heads/"
SHA = re.compile(r"\A[0-9a-f]{40}([0-9a-f]{24})?\Z")


@wants("push")
class PushHandler(WebhookHandler):
    """A push to a branch registers its head commit and queues ProcessCommitJob; a deleted branch goes."""

    def validate(self, payload):
        ref = field(payload, "ref", str, max_length=1024)
        field(payload, "repository.id", int)
        if ref == BRANCH_PREFIX:
            raise InvalidPayload("`ref' names no branch")
        deleted = payload.get("deleted", False)
        if not isinstance(deleted, bool):
            raise InvalidPayload("`deleted' must be bool")
        if deleted or not payload["ref"].startswith(BRANCH_PREFIX):
            return
        if field(payload, "head_commit", dict, nullable=True) is None:
            return
        if not SHA.match(field(payload, "head_commit.id", str)):
            raise InvalidPayload("`head_commit.id' is not a commit sha")
        field(payload, "head_commit.message", str)
        field(payload, "head_commit.author.name", str, max_length=1024)
        field(payload, "head_commit.author.email", str, nullable=True, max_length=1024)

    def handle(self, payload):
        ref = payload["ref"]
        if not ref.startswith(BRANCH_PREFIX):
            return  # tags are not processed
        repository = Repository.objects.filter(github_id=payload["repository"]["id"]).first()
        if repository is None:
            return
        branch = ref[len(BRANCH_PREFIX) :]
        if payload.get("deleted"):
            remove_branch(repository, branch)
            return
        head = payload.get("head_commit")
        if head is None:
            return
        commit = record_push(
            repository,
            branch,
            PushedCommit(
                sha=head["id"],
                message=head["message"],
                author_name=head["author"]["name"],
                author_email=head["author"].get("email") or "",
            ),
        )
        ProcessCommitJob.enqueue(commit.id)
        held = release_held_report(commit)
        if held is not None:
            ProcessCoverageJob.enqueue(repository.id, commit.sha, held.blob)
