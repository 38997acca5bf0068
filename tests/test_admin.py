import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django_q.models import Failure, OrmQ

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def every_model():
    return [
        model for model in apps.get_models()
        if model._meta.app_label in {"users", "repositories", "coverage_reports", "cocov", "webhooks", "django_q"}
        and model.__name__ != "Task"  # django-q2 shows it as its Success and Failure proxies
    ]


def test_every_model_is_in_the_admin():
    assert [m.__name__ for m in every_model() if m not in admin.site._registry] == []


@pytest.mark.parametrize("model", every_model(), ids=lambda m: f"{m._meta.app_label}.{m.__name__}")
def test_every_model_list_loads_with_search_and_a_row(staff_client, model):
    factory = getattr(factories, f"{model.__name__}Factory", None)
    obj = factory() if factory else None
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "x"}).status_code == 200
    if obj is not None:
        change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        assert staff_client.get(change).status_code == 200


def test_secret_values_are_never_shown(staff_client):
    secret = factories.SecretFactory(value="super-secret-value")
    page = staff_client.get(reverse("admin:repositories_secret_change", args=[secret.pk]))
    assert b"super-secret-value" not in page.content


def test_a_failed_job_can_be_resubmitted_from_the_admin(staff_client):
    failure = Failure.objects.create(
        id="a" * 32, name="ProcessCommitJob(7)", func="jobs.process_commit.ProcessCommitJob.run",
        args=(7,), kwargs={}, group="ProcessCommitJob", result="Could not fetch commit", success=False,
        started="2026-01-01T00:00:00Z", stopped="2026-01-01T00:00:01Z",
    )
    response = staff_client.post(
        reverse("admin:django_q_failure_changelist"),
        {"action": "resubmit_task", "_selected_action": [failure.pk]},
    )
    assert response.status_code == 302
    [queued] = OrmQ.objects.all()
    assert (queued.task["func"], queued.task["args"]) == ("jobs.process_commit.ProcessCommitJob.run", (7,))
    assert not Failure.objects.filter(pk=failure.pk).exists()


def test_the_factories_make_valid_records():
    for name in dir(factories):
        factory = getattr(factories, name)
        if name.endswith("Factory") and hasattr(factory, "_meta") and getattr(factory._meta, "model", None):
            record = factory()
            record.full_clean(exclude=["token_digest", "password"])


def test_a_secret_added_in_the_admin_needs_a_value_and_never_shows_it(staff_client):
    from repositories.models import Secret

    url = reverse("admin:repositories_secret_add")
    refused = staff_client.post(url, {"scope": "organization", "name": "TOKEN", "new_value": ""})
    assert refused.status_code == 200 and not Secret.objects.exists()
    staff_client.post(url, {"scope": "organization", "name": "TOKEN", "new_value": "hunter2"})
    secret = Secret.objects.get()
    assert secret.value == "hunter2"
    change = reverse("admin:repositories_secret_change", args=[secret.pk])
    assert b"hunter2" not in staff_client.get(change).content
    staff_client.post(change, {"scope": "organization", "name": "TOKEN", "new_value": ""})
    secret.refresh_from_db()
    assert secret.value == "hunter2"  # a blank value on edit keeps the secret


def test_the_secret_list_works_even_when_the_key_changed(staff_client, settings):
    factories.SecretFactory(name="OLD")
    settings.COCOV_CRYPTOGRAPHIC_KEY = bytes.fromhex("ee" * 16)
    assert staff_client.get(reverse("admin:repositories_secret_changelist")).status_code == 200


def test_the_outbox_shows_worker_jobs_without_their_authorizations(staff_client):
    message = factories.OutboxMessageFactory(payload={
        "job_id": "j", "checks": [{"plugin": "a/b", "envs": {}, "mounts": [
            {"kind": "secret", "authorization": "csa_topsecret", "target": "/x"}]}]})
    page = staff_client.get(reverse("admin:cocov_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert b"csa_topsecret" not in page.content and b"redacted" in page.content
