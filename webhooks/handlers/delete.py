from repositories.models import Repository
from repositories.pushes import remove_branch
from webhooks.registry import WebhookHandler, field, wants


@wants("delete")
class BranchDeletedHandler(WebhookHandler):
    """A deleted branch goes; deleted tags are not tracked."""

    def validate(self, payload):
        field(payload, "ref", str, max_length=1024)
        field(payload, "ref_type", str, max_length=64)
        field(payload, "repository.id", int)

    def handle(self, payload):
        if payload["ref_type"] != "branch":
            return
        repository = Repository.objects.filter(github_id=payload["repository"]["id"]).first()
        if repository is not None:
            remove_branch(repository, payload["ref"])
