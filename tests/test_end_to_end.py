"""The push pipeline on real processes: gunicorn, `manage.py qcluster` on the ORM broker, SQLite,
the fake GitHub as a process, and a real git remote."""

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

from demo.stack import Stack, make_remote, push_payload, run_coverage_py, wait_for
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


def test_a_chunked_upload_without_content_length_is_read_whole(stack):
    import http.client
    from urllib.parse import urlparse

    sha = make_remote(stack.git_root, stack.org, "calculator", SAMPLE)
    stack.github_control("POST", "/_fake/repos", {"name": "calculator"})
    token = re.search(r"crt_\S+", stack.manage("add_repository", "calculator").stdout).group()
    stack.start_web()
    report = b"TN:\nSF:calculator/__init__.py\nDA:1,1\nDA:2,0\nend_of_record\n"
    url = urlparse(stack.web_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("POST", f"/v1/reports?commit_sha={sha}", body=iter([report[:20], report[20:]]),
                       headers={"Authorization": f"token {token}", "Transfer-Encoding": "chunked"},
                       encode_chunked=True)
    assert connection.getresponse().status == 204
    result = stack.manage("describe_commit", "calculator", sha, check=False)
    assert "a coverage report is held for it" in result.stderr


def test_the_admin_and_its_static_files_are_served_by_gunicorn_without_debug(stack):
    import urllib.request

    stack.start_web()
    for path in ("/admin/login/", "/static/admin/css/base.css"):
        with urllib.request.urlopen(stack.web_url + path, timeout=10) as response:
            assert response.status == 200, path
            assert response.read()


def push_and_upload(stack, tmp_path):
    """The sample project pushed; its coverage.py report uploaded before the push webhook."""
    sha = make_remote(stack.git_root, stack.org, "calculator", SAMPLE)
    remote = stack.github_control("POST", "/_fake/repos", {"name": "calculator"})
    token = re.search(r"crt_\S+", stack.manage("add_repository", "calculator").stdout).group()
    stack.manage("add_secret", "SEMGREP_TOKEN", stdin="token-value\n")
    stack.start_web()
    stack.start_cluster()
    checkout = tmp_path / "checkout"
    shutil.copytree(SAMPLE, checkout)
    assert stack.upload_report(token, sha, run_coverage_py(checkout, "lcov")) == 204
    payload = push_payload(github_fixture("push.branch.json"), remote["id"], "calculator", stack.org, sha,
                           "Add the calculator", "Ada Lovelace", "ada@example.com")
    assert stack.send_webhook("push", payload)[0] == 200
    return sha


def coverage_statuses(stack, sha):
    return [(s["state"], s["description"]) for s in stack.github_statuses("calculator", sha)
            if s["context"] == "cocov/coverage"]


def test_a_report_uploaded_before_the_push_is_processed_when_the_commit_arrives(stack, tmp_path):
    sha = push_and_upload(stack, tmp_path)
    [(state, description)] = wait_for(lambda: coverage_statuses(stack, sha), 90, "the coverage status")
    described = stack.describe_commit("calculator", sha)
    coverage = described["coverage"]
    assert (coverage["status"], coverage["format"], coverage["minimum_coverage"]) == ("completed", "lcov", 80)
    assert [f["file"] for f in coverage["files"]] == ["calculator/__init__.py"]
    assert (state, description) == ("success", f"{coverage['percent_covered']}% covered")


@pytest.fixture
def postgres_redis_stack(tmp_path):
    """The production shape: PostgreSQL, django-q2 on Redis, Worker jobs into Redis lists."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("TEST_REDIS_URL")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.skip("needs the PostgreSQL and redis-server that `make test` starts")
    import psycopg
    import redis

    name = f"cocov_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    extra = {"COCOV_QUEUE_REDIS_URL": redis_url, "COCOV_REDIS_URL": redis_url}
    with Stack(tmp_path / "stack", org="cocov-e2e", database_url=database_url.rsplit("/", 1)[0] + f"/{name}",
               extra_env=extra) as stack:
        stack.start_fake_github()
        stack.manage("migrate", "--noinput")
        yield stack, client
    client.flushdb()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_the_pipeline_on_postgresql_with_redis_for_the_queue_and_the_worker(postgres_redis_stack, tmp_path):
    stack, redis_client = postgres_redis_stack
    sha = push_and_upload(stack, tmp_path)
    raw = redis_client.blpop("cocov:checks", timeout=90)
    assert raw is not None, stack.log_of("qcluster")[-3000:]
    job = json.loads(raw[1])
    assert job["sha"] == sha and [c["plugin"] for c in job["checks"]] == ["cocov/rubocop:v0.1",
                                                                         "ghcr.io:443/cocov-ci/semgrep:v1.2"]
    [mount] = job["checks"][1]["mounts"]
    assert mount["authorization"].startswith("csa_") and mount["target"] == "/secrets/semgrep-token"
    assert Path(job["git_storage"]["path"], "calculator", "__init__.py").is_file()
    [(state, _)] = wait_for(lambda: coverage_statuses(stack, sha), 90, "the coverage status")
    assert state == "success"
    assert stack.describe_commit("calculator", sha)["worker_jobs"] == []  # nothing in the outbox


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
