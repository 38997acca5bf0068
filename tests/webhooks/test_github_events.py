import json
import threading

import pytest
from django.db import connection, connections

from repositories.models import Branch, CheckSet, Commit
from tests.conftest import github_fixture, push_for, queued_jobs
from tests.factories import BranchFactory, RepositoryFactory
from webhooks.models import WebhookDelivery

SHA = "6858adf07e5cd43f9c5d87573369fa354d20a076"
pytestmark = pytest.mark.django_db


def error_of(response):
    body = response.json()
    return body["error"]["code"], body["error"]["message"]


@pytest.fixture
def repository():
    return RepositoryFactory(name="api", github_id=569446274)


def test_push_registers_the_commit_points_the_branch_and_queues_the_job(webhooks, repository,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = webhooks.send("push", github_fixture("push.branch.json"))

    assert response.status_code == 200
    commit = Commit.objects.get(repository=repository, sha=SHA)
    assert (commit.message, commit.author_name, commit.author_email) == ("WIP", "Victor Gama", "hey@vito.io")
    assert commit.check_set.status == CheckSet.Status.WAITING
    assert Branch.objects.get(repository=repository, name="master").head == commit
    assert queued_jobs("ProcessCommitJob") == [("ProcessCommitJob", (commit.id,))]


def test_the_job_is_queued_only_when_the_transaction_commits(webhooks, repository, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhooks.send("push", github_fixture("push.branch.json"))
    assert queued_jobs() == []
    assert len(callbacks) == 1


def test_a_push_moves_an_existing_branch_to_the_new_head(webhooks, repository):
    old = BranchFactory(repository=repository, name="master")
    webhooks.send("push", github_fixture("push.branch.json"))
    old.refresh_from_db()
    assert old.head.sha == SHA


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=" + "0" * 64, "sha1=abc", "sha256=not-hex"],
    ids=["missing", "empty", "wrong", "sha1", "garbage"],
)
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(webhooks, repository, signature):
    payload = github_fixture("push.branch.json")
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature is not None else None
    if signature is None:
        response = webhooks.client.post("/v1/github/events", data=body, content_type="application/json",
                                        HTTP_X_GITHUB_EVENT="push", HTTP_X_GITHUB_DELIVERY="d-1")
    else:
        response = webhooks.send("push", payload, headers=headers)
    assert response.status_code == 403
    assert error_of(response)[0] == "webhook.invalid_signature"
    assert not Commit.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(webhooks, repository):
    response = webhooks.send("push", github_fixture("push.branch.json"), secret="not-the-secret")
    assert response.status_code == 403


def test_a_body_changed_after_signing_is_refused(webhooks, repository):
    payload = github_fixture("push.branch.json")
    signed = json.dumps(payload).encode()
    from webhooks.signatures import sign

    tampered = signed.replace(b'"WIP"', b'"XXX"')
    response = webhooks.send("push", payload, body=tampered, signature=sign("test-webhook-secret", signed))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "missing, code",
    [("HTTP_X_GITHUB_EVENT", "webhook.missing_event"), ("HTTP_X_GITHUB_DELIVERY", "webhook.missing_delivery")],
)
def test_missing_headers_are_a_bad_request(webhooks, repository, missing, code):
    response = webhooks.send("push", github_fixture("push.branch.json"), headers={missing: None})
    assert response.status_code == 400
    assert error_of(response)[0] == code
    assert not Commit.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(webhooks, repository, body):
    response = webhooks.send("push", None, body=body)
    assert response.status_code == 400
    assert error_of(response)[0] == "webhook.malformed_payload"
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p.pop("ref"), "`ref' is missing"),
        (lambda p: p["repository"].update(id="569446274"), "`repository.id' must be int"),
        (lambda p: p["head_commit"].update(id="../../etc/passwd"), "`head_commit.id' is not a commit sha"),
        (lambda p: p["head_commit"].pop("author"), "`head_commit.author.name' is missing"),
        (lambda p: p.update(deleted="yes"), "`deleted' must be bool"),
    ],
)
def test_a_push_missing_what_it_needs_is_a_bad_request_naming_it(webhooks, repository, change, message):
    payload = github_fixture("push.branch.json")
    change(payload)
    response = webhooks.send("push", payload)
    assert response.status_code == 400
    code, text = error_of(response)
    assert code == "webhook.invalid_payload" and message in text
    assert not Commit.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_redelivery_is_answered_200_and_does_nothing(webhooks, repository, django_capture_on_commit_callbacks):
    payload = github_fixture("push.branch.json")
    with django_capture_on_commit_callbacks(execute=True):
        first = webhooks.send("push", payload, delivery="same-delivery")
    Commit.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        again = webhooks.send("push", payload, delivery="same-delivery")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate"}
    assert not Commit.objects.exists()
    assert len(queued_jobs("ProcessCommitJob")) == 1


def test_a_push_to_an_unknown_repository_is_ignored(webhooks, repository, django_capture_on_commit_callbacks):
    payload = github_fixture("push.branch.json")
    payload["repository"]["id"] = 42
    with django_capture_on_commit_callbacks(execute=True):
        response = webhooks.send("push", payload)
    assert response.status_code == 200
    assert not Commit.objects.exists() and queued_jobs() == []


def test_a_tag_push_is_ignored(webhooks, django_capture_on_commit_callbacks):
    payload = github_fixture("push.new-branch.json")
    RepositoryFactory(github_id=payload["repository"]["id"])
    payload["ref"] = "refs/tags/v1.0.0"
    with django_capture_on_commit_callbacks(execute=True):
        response = webhooks.send("push", payload)
    assert response.status_code == 200
    assert not Commit.objects.exists() and queued_jobs() == []


def test_a_tag_deletion_push_is_ignored_and_keeps_branches(webhooks):
    payload = github_fixture("push.tag-deleted.json")
    repository = RepositoryFactory(github_id=payload["repository"]["id"])
    branch = BranchFactory(repository=repository, name="simple-tag")
    assert webhooks.send("push", payload).status_code == 200
    assert Branch.objects.filter(pk=branch.pk).exists()


def test_a_branch_deletion_push_removes_the_branch(webhooks, repository):
    branch = BranchFactory(repository=repository, name="feature")
    other = BranchFactory(repository=repository, name="master")
    payload = github_fixture("push.branch.json")
    payload.update(ref="refs/heads/feature", deleted=True, head_commit=None, after="0" * 40)
    assert webhooks.send("push", payload).status_code == 200
    assert not Branch.objects.filter(pk=branch.pk).exists()
    assert Branch.objects.filter(pk=other.pk).exists()
    assert Commit.objects.filter(pk=branch.head_id).exists()


def test_a_new_branch_push_with_a_noreply_author(webhooks):
    payload = github_fixture("push.new-branch.json")
    repository = RepositoryFactory(github_id=payload["repository"]["id"])
    assert webhooks.send("push", payload).status_code == 200
    commit = Commit.objects.get(repository=repository)
    assert commit.sha == payload["head_commit"]["id"]
    assert commit.author_email == payload["head_commit"]["author"]["email"]


def test_the_delete_event_for_a_branch_removes_it(webhooks):
    payload = github_fixture("delete.json")
    repository = RepositoryFactory(github_id=payload["repository"]["id"])
    payload.update(ref="old-feature", ref_type="branch")
    branch = BranchFactory(repository=repository, name="old-feature")
    assert webhooks.send("delete", payload).status_code == 200
    assert not Branch.objects.filter(pk=branch.pk).exists()


def test_the_delete_event_for_a_tag_keeps_a_branch_of_that_name(webhooks):
    payload = github_fixture("delete.json")
    repository = RepositoryFactory(github_id=payload["repository"]["id"])
    branch = BranchFactory(repository=repository, name=payload["ref"])
    assert webhooks.send("delete", payload).status_code == 200
    assert Branch.objects.filter(pk=branch.pk).exists()


def test_an_event_nobody_wants_is_answered_200(webhooks):
    response = webhooks.send("star", {"action": "created"})
    assert response.status_code == 200 and response.json() == {"status": "ignored"}


def test_a_failure_inside_a_handler_answers_500_and_records_nothing(webhooks, repository):
    # A real internal failure: the commits table is gone for the length of this test's transaction.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE repositories_commit RENAME TO repositories_commit_away")
    try:
        response = webhooks.send("push", github_fixture("push.branch.json"), delivery="will-be-redelivered")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE repositories_commit_away RENAME TO repositories_commit")
    assert response.status_code == 500
    assert error_of(response)[0] == "webhook.internal_error"
    assert not WebhookDelivery.objects.filter(delivery_id="will-be-redelivered").exists()
    assert not Branch.objects.exists()
    assert webhooks.send("push", github_fixture("push.branch.json"), delivery="will-be-redelivered").status_code == 200
    assert Commit.objects.filter(sha=SHA).exists()


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_push_at_the_same_moment_make_one_commit(webhooks):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    repository = RepositoryFactory(name="api", github_id=569446274)
    payload = github_fixture("push.branch.json")
    for round_number in range(20):
        sha = f"{round_number:040x}"
        payload = push_for(repository, sha)
        barrier = threading.Barrier(2)
        answers = []

        def deliver(n):
            from django.test import Client
            from tests.conftest import WebhookSender

            barrier.wait()
            try:
                answers.append(WebhookSender(Client()).send("push", payload, delivery=f"{sha}-{n}").status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=deliver, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200, 200]
        assert Commit.objects.filter(repository=repository, sha=sha).count() == 1
        assert CheckSet.objects.filter(commit__sha=sha).count() == 1
    assert Branch.objects.filter(repository=repository).count() == 1
    assert Branch.objects.get(repository=repository).head.sha == f"{19:040x}"


def test_a_signed_push_over_djangos_request_limit_is_accepted(webhooks, repository, settings):
    payload = github_fixture("push.branch.json")
    payload["commits"] = [dict(payload["head_commit"], message="x" * 2000) for _ in range(1500)]
    assert len(json.dumps(payload)) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert webhooks.send("push", payload).status_code == 200
    assert Commit.objects.filter(sha=SHA).exists()


def test_a_payload_over_25_mb_is_413(webhooks, repository):
    response = webhooks.send("push", None, body=b" " * (25 * 1024 * 1024 + 1))
    assert (response.status_code, error_of(response)[0]) == (413, "webhook.too_large")


def test_deeply_nested_json_is_a_bad_request(webhooks):
    response = webhooks.send("push", None, body=b"[" * 100000 + b"]" * 100000)
    assert (response.status_code, error_of(response)[0]) == (400, "webhook.malformed_payload")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p["head_commit"].update(message="a\u0000b"), "`head_commit.message' holds characters"),
        (lambda p: p["head_commit"]["author"].update(name="\ud800"), "`head_commit.author.name' holds characters"),
        (lambda p: p.update(ref="refs/heads/"), "`ref' names no branch"),
        (lambda p: p.update(ref="refs/heads/" + "b" * 2000), "`ref' is longer than 1024"),
    ],
)
def test_values_that_cannot_be_stored_are_a_bad_request(webhooks, repository, change, message):
    payload = github_fixture("push.branch.json")
    change(payload)
    response = webhooks.send("push", payload)
    assert response.status_code == 400 and message in error_of(response)[1]
    assert not Commit.objects.exists() and not Branch.objects.exists()


def test_a_branch_name_longer_than_255_characters_is_kept(webhooks, repository):
    payload = github_fixture("push.branch.json")
    payload["ref"] = "refs/heads/feature/" + "long-" * 80
    assert webhooks.send("push", payload).status_code == 200
    assert Branch.objects.get().name == payload["ref"][len("refs/heads/"):]


def test_an_overlong_delivery_id_is_a_bad_request(webhooks, repository):
    response = webhooks.send("push", github_fixture("push.branch.json"), delivery="d" * 129)
    assert (response.status_code, error_of(response)[0]) == (400, "webhook.missing_delivery")


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_get_405_with_a_json_error(client, method):
    response = getattr(client, method)("/v1/github/events")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert error_of(response)[0] == "http.method_not_allowed"


def test_an_unknown_path_is_a_json_404(client):
    response = client.post("/v1/github/events/")
    assert response.status_code == 404 and error_of(response)[0] == "http.not_found"


@pytest.mark.django_db(transaction=True)
def test_when_queueing_fails_after_commit_the_redelivery_runs_again(webhooks):
    # The records commit, then django-q2's queue table refuses the job: the answer is 500 and the
    # delivery is forgotten, so that GitHub's redelivery queues the job.
    repository = RepositoryFactory(name="api", github_id=569446274)
    payload = github_fixture("push.branch.json")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_q_ormq RENAME TO django_q_ormq_away")
    try:
        first = webhooks.send("push", payload, delivery="flaky-queue")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE django_q_ormq_away RENAME TO django_q_ormq")
    assert first.status_code == 500
    assert Commit.objects.filter(repository=repository, sha=SHA).exists()
    assert not WebhookDelivery.objects.filter(delivery_id="flaky-queue").exists()
    assert webhooks.send("push", payload, delivery="flaky-queue").json() == {"status": "handled"}
    assert queued_jobs("ProcessCommitJob") == [("ProcessCommitJob", (Commit.objects.get(sha=SHA).id,))]
