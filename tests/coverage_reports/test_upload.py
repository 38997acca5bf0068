import gzip
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from coverage_reports.holding import held_coverage_key
from coverage_reports.models import CoverageInfo
from coverage_reports.reports import AcceptedReport
from tests.conftest import push_for, queued_jobs
from tests.coverage_reports.conftest import SHARED_COVERAGE, cocov_upload
from tests.factories import CommitFactory, RepositoryFactory

pytestmark = pytest.mark.django_db
SHA = "f3075304ba198d9aba419778c7babae2294e3490"


@pytest.fixture
def repository():
    repository = RepositoryFactory(name="api")
    repository.token = repository.issue_token()
    repository.save()
    return repository


def upload(client, body, token=None, sha=None, headers=None, content_type="application/octet-stream"):
    url = "/v1/reports" + (f"?commit_sha={sha}" if sha else "")
    extra = {"HTTP_AUTHORIZATION": f"token {token}"} if token else {}
    extra.update(headers or {})
    return client.post(url, data=body, content_type=content_type, **extra)


def error_code(response):
    return response.json()["error"]["code"]


def held(repository, sha):
    value = cache.get(held_coverage_key(repository.id, sha))
    return None if value is None else AcceptedReport.from_blob(value[1])


def nothing_changed(repository, sha=SHA):
    return held(repository, sha) is None and not CoverageInfo.objects.exists() and queued_jobs() == []


def test_cocovs_upload_for_an_unknown_commit_is_held_and_answered_204(client, repository):
    body = (SHARED_COVERAGE / "cocov_upload_49_files.json").read_bytes()
    response = upload(client, body, repository.token, content_type="application/json")
    assert response.status_code == 204 and response.content == b""
    report = held(repository, SHA)
    assert report.format == "cocov" and len(report.data) == 49
    original = json.loads(body)["data"]["app/controllers/application_controller.rb"]
    from coverage_reports import linedata

    assert report.lines_of("app/controllers/application_controller.rb") == linedata.decode(original)
    assert queued_jobs() == []


def test_an_upload_for_a_known_commit_is_queued_after_commit(client, repository, django_capture_on_commit_callbacks):
    commit = CommitFactory(repository=repository, sha=SHA)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, cocov_upload(SHA, {"a.rb": [1, 0]}), repository.token)
    assert response.status_code == 204
    coverage = CoverageInfo.objects.get(commit=commit)
    assert coverage.status == CoverageInfo.Status.QUEUED
    [(name, (repo_id, sha, blob))] = queued_jobs()
    assert (name, repo_id, sha) == ("ProcessCoverageJob", repository.id, SHA)
    assert AcceptedReport.from_blob(blob).id == coverage.report_id
    assert held(repository, SHA) is None


def test_a_report_file_with_the_sha_in_the_query(client, repository, coverage_py_reports):
    _, reports = coverage_py_reports
    response = upload(client, reports["xml"], repository.token, sha=SHA.upper(), content_type="application/xml")
    assert response.status_code == 204
    assert held(repository, SHA).format == "cobertura"


def test_a_gzip_body_is_inflated(client, repository, coverage_py_reports):
    _, reports = coverage_py_reports
    response = upload(client, gzip.compress(reports["lcov"]), repository.token, sha=SHA,
                      headers={"HTTP_CONTENT_ENCODING": "gzip"})
    assert response.status_code == 204
    assert held(repository, SHA).format == "lcov"


def test_a_newer_upload_replaces_the_held_one(client, repository):
    upload(client, cocov_upload(SHA, {"old.rb": [1]}), repository.token)
    upload(client, cocov_upload(SHA, {"new.rb": [0]}), repository.token)
    assert list(held(repository, SHA).data) == ["new.rb"]


def test_a_newer_upload_replaces_the_queued_one(client, repository, django_capture_on_commit_callbacks):
    CommitFactory(repository=repository, sha=SHA)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cocov_upload(SHA, {"old.rb": [1]}), repository.token)
        upload(client, cocov_upload(SHA, {"new.rb": [1]}), repository.token)
    coverage = CoverageInfo.objects.get()
    blobs = [args[2] for _, args in queued_jobs("ProcessCoverageJob")]
    assert [AcceptedReport.from_blob(b).id == coverage.report_id for b in blobs] == [False, True]


def test_the_push_of_the_commit_takes_the_held_report_and_queues_it(client, repository, webhooks,
                                                                  django_capture_on_commit_callbacks):
    upload(client, cocov_upload(SHA, {"a.rb": [1]}), repository.token)
    report_id = held(repository, SHA).id
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.send("push", push_for(repository, SHA)).status_code == 200
    assert held(repository, SHA) is None
    coverage = CoverageInfo.objects.get(commit__sha=SHA)
    assert (coverage.status, coverage.report_id) == (CoverageInfo.Status.QUEUED, report_id)
    assert [name for name, _ in queued_jobs()] == ["ProcessCommitJob", "ProcessCoverageJob"]


def test_a_held_report_expires_after_two_hours(client, repository, webhooks, monkeypatch,
                                              django_capture_on_commit_callbacks):
    upload(client, cocov_upload(SHA, {"a.rb": [1]}), repository.token)
    # Moves the database cache's clock forward instead of sleeping.
    now = timezone.now()
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: now + timedelta(hours=1, minutes=59))
    assert held(repository, SHA) is not None
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: now + timedelta(hours=2, seconds=1))
    assert held(repository, SHA) is None
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send("push", push_for(repository, SHA))
    assert [name for name, _ in queued_jobs()] == ["ProcessCommitJob"]
    assert not CoverageInfo.objects.exists()


def test_djangos_request_size_limit_does_not_refuse_a_large_real_report(client, repository, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2621440
    lines = [n % 5 for n in range(400_000)]
    body = cocov_upload(SHA, {f"lib/file{n}.rb": lines for n in range(4)})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert upload(client, body, repository.token).status_code == 204
    assert len(held(repository, SHA).data) == 4


# --- refusals: each answers an error and changes nothing ---------------------------------------------

@pytest.mark.parametrize(
    "authorization, status, code",
    [
        (None, 401, "auth.no_authorization"),
        ("Bearer crt_abc", 401, "auth.invalid_token"),
        ("token", 401, "auth.invalid_token"),
        ("crt_abc", 401, "auth.invalid_token"),
        ("token crt_not_a_real_token", 403, "auth.forbidden"),
    ],
)
def test_authorization_errors(client, repository, authorization, status, code):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = upload(client, cocov_upload(SHA, {"a.rb": [1]}), headers=headers)
    assert (response.status_code, error_code(response)) == (status, code)
    assert nothing_changed(repository)


@pytest.mark.parametrize(
    "body, sha, code",
    [
        (json.dumps({"commit_sha": SHA}).encode(), None, "report.missing_data"),
        (json.dumps({"commit_sha": SHA, "data": {}}).encode(), None, "report.missing_data"),
        (b"", SHA, "report.missing_data"),
        (json.dumps({"data": {"a.rb": "MQ=="}}).encode(), None, "report.missing_commit_sha"),
        (b"TN:\nSF:a.py\nDA:1,1\nend_of_record\n", None, "report.missing_commit_sha"),
        (json.dumps({"commit_sha": "abc123", "data": {"a.rb": "MQ=="}}).encode(), None, "report.invalid_commit_sha"),
        (b"TN:\nSF:a.py\nDA:1,1\nend_of_record\n", "../../etc/passwd", "report.invalid_commit_sha"),
        (json.dumps({"commit_sha": "g" * 40, "data": {"a.rb": "MQ=="}}).encode(), None, "report.invalid_commit_sha"),
        (b"just some text", SHA, "report.unknown_format"),
        (json.dumps({"commit_sha": SHA, "data": {"a.rb": "!!notbase64"}}).encode(), None, "report.invalid_data"),
        (b"TN:\nSF:a.py\nDA:1\nend_of_record\n", SHA, "report.invalid_data"),
        (b'{"broken json', SHA, "report.invalid_data"),
    ],
)
def test_bad_uploads_are_400_with_a_code(client, repository, body, sha, code):
    response = upload(client, body, repository.token, sha=sha)
    assert (response.status_code, error_code(response)) == (400, code)
    assert nothing_changed(repository)


def test_the_unknown_format_answer_names_the_formats_tried(client, repository):
    response = upload(client, b"what is this", repository.token, sha=SHA)
    message = response.json()["error"]["message"]
    for name in ("LCOV", "Cobertura XML", "JaCoCo XML", "Go cover profile", "SimpleCov JSON", "coverage.py JSON"):
        assert name in message


def test_an_upload_over_50_mb_is_413(client, repository):
    body = b"TN:\n" + b"#" * (50 * 1024 * 1024)
    response = upload(client, body, repository.token, sha=SHA)
    assert (response.status_code, error_code(response)) == (413, "report.too_large")
    assert nothing_changed(repository)


def test_a_gzip_bomb_is_refused_not_inflated(client, repository):
    bomb = gzip.compress(b"\n" * (60 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    response = upload(client, bomb, repository.token, sha=SHA, headers={"HTTP_CONTENT_ENCODING": "gzip"})
    assert (response.status_code, error_code(response)) == (413, "report.too_large")
    assert nothing_changed(repository)


@pytest.mark.parametrize("body", [b"not gzip at all", gzip.compress(b"TN:\nSF:a\n")[:-9]])
def test_a_broken_gzip_body_is_400(client, repository, body):
    response = upload(client, body, repository.token, sha=SHA, headers={"HTTP_CONTENT_ENCODING": "gzip"})
    assert (response.status_code, error_code(response)) == (400, "report.bad_encoding")
    assert nothing_changed(repository)


def test_only_post_is_allowed(client, repository):
    assert client.get("/v1/reports").status_code == 405


def test_concatenated_gzip_members_are_all_inflated(client, repository):
    first = b"TN:\nSF:a.py\nDA:1,1\nend_of_record\n"
    second = b"TN:\nSF:b.py\nDA:1,0\nend_of_record\n"
    body = gzip.compress(first) + gzip.compress(second)
    response = upload(client, body, repository.token, sha=SHA, headers={"HTTP_CONTENT_ENCODING": "gzip"})
    assert response.status_code == 204
    assert sorted(held(repository, SHA).data) == ["a.py", "b.py"]


def test_expired_held_reports_are_deleted_from_the_cache_table(client, repository, monkeypatch):
    from django.db import connection

    from jobs.forget_expired_held_reports import ForgetExpiredHeldReportsJob

    upload(client, cocov_upload(SHA, {"a.rb": [1]}), repository.token)
    other = "e" * 40
    now = timezone.now()
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: now - timedelta(hours=3))
    monkeypatch.setattr("time.time", lambda: (now - timedelta(hours=3)).timestamp())
    upload(client, cocov_upload(other, {"b.rb": [1]}), repository.token)  # held three hours ago
    monkeypatch.undo()
    cache.set("unrelated", "kept", 1)  # other cache entries are not ours to delete

    assert ForgetExpiredHeldReportsJob.run() == {"forgotten": 1}
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM cocov_cache")
        keys = sorted(row[0] for row in cursor.fetchall())
    assert any(SHA in key for key in keys) and not any(other in key for key in keys)
    assert any("unrelated" in key for key in keys)


@pytest.mark.parametrize(
    "body, sha, code",
    [
        (json.dumps({"commit_sha": SHA, "data": {"a.rb": "MQ=="}}).encode(), "b" * 40, "report.conflicting_commit_sha"),
        (json.dumps({"commit_sha": SHA, "data": {"a.rb": "MQ=="}}).encode(), "garbage", "report.invalid_commit_sha"),
        (json.dumps({"commit_sha": 0, "data": {"a.rb": "MQ=="}}).encode(), None, "report.invalid_commit_sha"),
    ],
)
def test_commit_sha_in_body_and_query_must_agree(client, repository, body, sha, code):
    response = upload(client, body, repository.token, sha=sha)
    assert (response.status_code, error_code(response)) == (400, code)
    assert nothing_changed(repository)


def test_a_utf8_bom_before_the_report_is_ignored(client, repository):
    response = upload(client, b"\xef\xbb\xbfTN:\nSF:a.py\nDA:1,1\nend_of_record\n", repository.token, sha=SHA)
    assert response.status_code == 204
