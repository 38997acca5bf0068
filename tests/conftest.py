import json
import os
from pathlib import Path

import git
import pytest
from django.test import Client

from fakegithub import FakeGitHub
from webhooks.signatures import sign

SHARED_FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
WEBHOOK_SECRET = os.environ["COCOV_GITHUB_WEBHOOK_SECRET_KEY"]


def github_fixture(name):
    return json.loads((SHARED_FIXTURES / "github" / name).read_text())


@pytest.fixture(autouse=True)
def isolated_storage(settings, tmp_path):
    settings.COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH = tmp_path / "git_storage"
    settings.COCOV_REDIS_URL = None
    return settings.COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH


@pytest.fixture
def fake_github(settings):
    with FakeGitHub(org=settings.COCOV_GITHUB_ORG_NAME, tokens=(settings.COCOV_GITHUB_TOKEN,)) as fake:
        settings.COCOV_GITHUB_API_URL = fake.url
        yield fake


class Remotes:
    """Real git repositories at <root>/<org>/<name>.git, the layout COCOV_GITHUB_GIT_URL points at."""

    def __init__(self, root, org):
        self.root = Path(root)
        self.org = org

    def work_tree(self, name):
        return self.root / "_work" / name

    def commit(self, name, files, message="A change", author=("Ada Lovelace", "ada@example.com")):
        """Commit `files` ({path: text, or None to delete}) to repository `name`; returns the sha."""
        work = self.work_tree(name)
        bare = self.root / self.org / f"{name}.git"
        if not work.exists():
            repo = git.Repo.init(work, initial_branch="master")
        else:
            repo = git.Repo(work)
        for path, content in files.items():
            target = work / path
            if content is None:
                repo.index.remove([path], working_tree=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            repo.index.add([path])
        actor = git.Actor(*author)
        sha = repo.index.commit(message, author=actor, committer=actor).hexsha
        if not bare.exists():
            bare.parent.mkdir(parents=True, exist_ok=True)
            repo.clone(str(bare), bare=True)
        else:
            repo.git.push(str(bare), "master")
        return sha


@pytest.fixture
def remotes(settings, tmp_path):
    settings.COCOV_GITHUB_GIT_URL = f"file://{tmp_path / 'remotes'}"
    return Remotes(tmp_path / "remotes", settings.COCOV_GITHUB_ORG_NAME)


class WebhookSender:
    def __init__(self, client):
        self.client = client
        self.deliveries = 0

    def send(self, event, payload, delivery=None, secret=WEBHOOK_SECRET, signature=None, body=None, headers=None):
        body = body if body is not None else json.dumps(payload).encode()
        self.deliveries += 1
        extra = {
            "HTTP_X_GITHUB_EVENT": event,
            "HTTP_X_GITHUB_DELIVERY": delivery or f"delivery-{id(self)}-{self.deliveries}",
            "HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else sign(secret, body),
        }
        extra.update(headers or {})
        extra = {key: value for key, value in extra.items() if value is not None}
        return self.client.post("/v1/github/events", data=body, content_type="application/json", **extra)


@pytest.fixture
def webhooks():
    return WebhookSender(Client())


def push_for(repository, sha, branch="master", author_email="ada@example.com", message="A change"):
    payload = github_fixture("push.branch.json")
    payload["ref"] = f"refs/heads/{branch}"
    payload["after"] = sha
    payload["repository"]["id"] = repository.github_id
    payload["repository"]["name"] = repository.name
    payload["head_commit"].update(id=sha, message=message)
    payload["head_commit"]["author"].update(name="Ada Lovelace", email=author_email)
    return payload


def queued_jobs(name=None):
    """(job name, args) of every task waiting in django-q2's ORM broker."""
    from django_q.models import OrmQ

    jobs = [(entry.task.get("group"), tuple(entry.task.get("args", ()))) for entry in OrmQ.objects.order_by("id")]
    return [job for job in jobs if name is None or job[0] == name]


@pytest.fixture
def redis_client():
    """A real redis-server (started by `make test`), emptied before and after the test."""
    import redis

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: run the tests with `make test`")
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.url = url
    yield client
    client.flushdb()
