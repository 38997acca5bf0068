"""The push pipeline on real processes: gunicorn, `manage.py qcluster` on the ORM broker, SQLite,
the fake GitHub as a process, and a real git remote."""

import json
from pathlib import Path

import pytest

from demo.stack import Stack, make_remote, push_payload, wait_for
from tests.conftest import github_fixture

SAMPLE = Path(__file__).resolve().parent.parent / "demo" / "sample_project"


@pytest.fixture
def stack(tmp_path):
    with Stack(tmp_path / "stack", org="cocov-e2e") as stack:
        stack.start_fake_github()
        stack.manage("migrate", "--noinput")
        yield stack
        print(stack.log_of("qcluster")[-3000:])


def failed_tasks(stack):
    code = (
        "import json; from django_q.models import Failure; "
        "print(json.dumps([[t.group, list(t.args), t.result] for t in Failure.objects.all()]))"
    )
    return json.loads(stack.manage("shell", "-v", "0", "-c", code).stdout)


def test_a_push_goes_through_the_cluster_to_the_worker_queue_on_sqlite(stack):
    sha = make_remote(stack.git_root, stack.org, "calculator", SAMPLE)
    remote = stack.github_control("POST", "/_fake/repos", {"name": "calculator"})
    registered = stack.manage("add_repository", "calculator").stdout
    assert "crt_" in registered
    stack.manage("add_secret", "SEMGREP_TOKEN", stdin="token-value\n")
    stack.start_web()
    stack.start_cluster()

    payload = push_payload(github_fixture("push.branch.json"), remote["id"], "calculator", stack.org, sha,
                           "Add the calculator", "Ada Lovelace", "ada@example.com")
    assert stack.send_webhook("push", payload)[0] == 200

    def queued():
        described = stack.describe_commit("calculator", sha)
        return described if described and described["worker_jobs"] and described["commits_size"] else None

    described = wait_for(queued, 90, "the job handed to the Worker")
    assert described["clone_status"] == "completed" and described["clone_size"] > 0
    assert described["commits_size"] == described["clone_size"]
    assert described["check_set"]["status"] == "queued"
    assert [c["plugin_name"] for c in described["check_set"]["checks"]] == ["cocov/rubocop", "cocov-ci/semgrep"]
    [job] = described["worker_jobs"]
    assert job["payload"]["sha"] == sha and job["payload"]["job_id"] == described["check_set"]["job_id"]
    statuses = stack.github_statuses("calculator", sha)
    assert [(s["context"], s["state"], s["description"]) for s in statuses] == [
        ("cocov", "pending", "Checks are running...")
    ]
    assert "ghs_demo_token" not in stack.log_of("qcluster") + stack.log_of("web")


def test_the_admin_and_its_static_files_are_served_by_gunicorn_without_debug(stack):
    import urllib.request

    stack.start_web()
    for path in ("/admin/login/", "/static/admin/css/base.css"):
        with urllib.request.urlopen(stack.web_url + path, timeout=10) as response:
            assert response.status == 200, path
            assert response.read()


def test_a_failed_job_is_listed_as_failed_with_its_reason(stack):
    make_remote(stack.git_root, stack.org, "calculator", SAMPLE)
    remote = stack.github_control("POST", "/_fake/repos", {"name": "calculator"})
    stack.manage("add_repository", "calculator")
    stack.start_web()
    stack.start_cluster()
    missing = "ab" * 20
    payload = push_payload(github_fixture("push.branch.json"), remote["id"], "calculator", stack.org, missing,
                           "Lost", "Ada Lovelace", "ada@example.com")
    assert stack.send_webhook("push", payload)[0] == 200

    failures = wait_for(lambda: failed_tasks(stack), 90, "the job to fail")
    [(group, args, result)] = failures
    assert group == "ProcessCommitJob"
    assert "Could not fetch commit" in result
    described = stack.describe_commit("calculator", missing)
    assert described["clone_status"] == "errored"
    assert described["check_set"]["status"] == "failure"
    assert described["check_set"]["error_kind"] == "commit_fetch_failed"
    [status] = stack.github_statuses("calculator", missing)
    assert (status["state"], status["description"]) == ("error", "Could not fetch this commit")
