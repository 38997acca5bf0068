import hashlib
import io
import tarfile
from pathlib import Path

import pytest
import zstandard

from cocov.git_storage import git_storage
from cocov.models import OutboxMessage
from jobs.process_commit import ProcessCommitJob
from repositories.models import Check, CheckSet, Commit, SecretAuthorization
from tests.conftest import queued_jobs
from tests.factories import CheckSetFactory, CommitFactory, RepositoryFactory, SecretFactory, UserEmailFactory
from cocov.crypto import digest

pytestmark = pytest.mark.django_db

MANIFEST = """
version: "0.1.alpha"
coverage:
  min_percent: 80
defaults:
  checks:
    envs:
      LOG_LEVEL: info
      SHARED: default
    mounts:
      - source: secrets:NPMRC
        destination: /home/cocov/.npmrc
checks:
  - plugin: cocov/rubocop:v0.1
  - plugin: ghcr.io:443/cocov-ci/semgrep:v1.2
    envs:
      SHARED: mine
    mounts:
      - source: secrets:NPMRC
        destination: /home/cocov/.npmrc
      - source: secrets:SEMGREP_TOKEN
        destination: /secrets/semgrep
"""


@pytest.fixture
def repository(fake_github):
    repository = RepositoryFactory(name="calculator")
    fake_github.add_repo("calculator", id=repository.github_id)
    return repository


@pytest.fixture
def pushed(repository, remotes):
    """Registers a commit of `files` pushed to the repository's remote, as the push webhook would."""

    def push(files, author_email="ada@example.com"):
        sha = remotes.commit(repository.name, files)
        commit = CommitFactory(repository=repository, sha=sha, author_email=author_email)
        CheckSetFactory(commit=commit)
        return commit

    return push


def run_job(commit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ProcessCommitJob.run(commit.id)
    commit.refresh_from_db()
    commit.check_set.refresh_from_db()
    return commit


def posted_statuses(fake_github, commit):
    return [
        (r.method, r.path, r.json)
        for r in fake_github.requests
        if r.method == "POST" and "/statuses/" in r.path
    ]


def checks_status(commit, state, description):
    return (
        "POST",
        f"/repos/cocov-test/{commit.repository.name}/statuses/{commit.sha}",
        {
            "state": state,
            "context": "cocov",
            "description": description,
            "target_url": f"http://localhost:4000/repos/{commit.repository.name}/commits/{commit.sha}/checks",
        },
    )


def test_a_commit_is_cloned_into_the_workers_layout(pushed, fake_github, isolated_storage,
                                                    django_capture_on_commit_callbacks):
    files = {".cocov.yaml": MANIFEST, "lib/calc.py": "def add(a, b):\n    return a + b\n", "README.md": "# Calc\n"}
    commit = run_job(pushed(files), django_capture_on_commit_callbacks)

    base = Path(isolated_storage) / hashlib.sha1(b"calculator").hexdigest()
    tree, tar, zst, shasum = (base / commit.sha, base / f"{commit.sha}.tar", base / f"{commit.sha}.tar.zst",
                              base / f"{commit.sha}.tar.zst.shasum")
    assert {str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file()} == set(files)
    assert all((tree / name).read_text() == text for name, text in files.items())
    assert not (tree / ".git").exists()
    with tarfile.open(tar) as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()}
        assert names == {f"{commit.sha}/{name}" for name in files}
        assert archive.extractfile(f"{commit.sha}/lib/calc.py").read() == files["lib/calc.py"].encode()
    assert zstandard.ZstdDecompressor().stream_reader(io.BytesIO(zst.read_bytes())).read() == tar.read_bytes()
    assert shasum.read_text() == "sha256:" + hashlib.sha256(zst.read_bytes()).hexdigest()

    everything = [p for p in base.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert commit.clone_size == sum(p.stat().st_size for p in everything)
    assert commit.clone_status == Commit.CloneStatus.COMPLETED


def test_checks_are_created_and_the_job_handed_to_the_worker(pushed, repository, fake_github,
                                                             django_capture_on_commit_callbacks):
    SecretFactory(name="NPMRC", value="org-npmrc")
    SecretFactory(name="SEMGREP_TOKEN", value="org-semgrep")
    repo_secret = SecretFactory(name="SEMGREP_TOKEN", scope="repository", repository=repository, value="repo-semgrep")
    commit = run_job(pushed({".cocov.yaml": MANIFEST}), django_capture_on_commit_callbacks)

    check_set = commit.check_set
    assert check_set.status == CheckSet.Status.QUEUED and check_set.job_id
    assert list(check_set.checks.order_by("id").values_list("plugin_name", "status")) == [
        ("cocov/rubocop", Check.Status.WAITING),
        ("cocov-ci/semgrep", Check.Status.WAITING),
    ]
    [message] = OutboxMessage.objects.filter(queue="cocov:checks")
    payload = message.payload
    rubocop, semgrep = payload.pop("checks")
    assert payload == {
        "check_set_id": check_set.id,
        "job_id": check_set.job_id,
        "org": "cocov-test",
        "repo": "calculator",
        "repo_id": repository.id,
        "sha": commit.sha,
        "git_storage": {"mode": "local", "path": str(git_storage().commit_path("calculator", commit.sha))},
    }
    assert rubocop["plugin"] == "cocov/rubocop:v0.1"
    assert rubocop["envs"] == {"LOG_LEVEL": "info", "SHARED": "default"}
    assert [(m["kind"], m["target"]) for m in rubocop["mounts"]] == [("secret", "/home/cocov/.npmrc")]
    assert semgrep["plugin"] == "ghcr.io:443/cocov-ci/semgrep:v1.2"
    assert semgrep["envs"] == {"LOG_LEVEL": "info", "SHARED": "mine"}
    assert [m["target"] for m in semgrep["mounts"]] == ["/home/cocov/.npmrc", "/secrets/semgrep"]

    # Each mount carries a one-time authorization for the secret it names, repository first.
    for mount in rubocop["mounts"] + semgrep["mounts"]:
        assert mount["authorization"].startswith("csa_")
        grant = SecretAuthorization.objects.get(token_digest=digest(mount["authorization"]))
        assert grant.target == mount["target"] and grant.check_set == check_set
        assert 6.99 < (grant.expires_at - grant.created_at).total_seconds() / 86400 <= 7
    semgrep_grant = SecretAuthorization.objects.get(token_digest=digest(semgrep["mounts"][1]["authorization"]))
    assert semgrep_grant.secret == repo_secret
    assert posted_statuses(fake_github, commit) == [checks_status(commit, "pending", "Checks are running...")]


def test_a_check_without_mounts_gets_null_mounts(pushed, fake_github, django_capture_on_commit_callbacks):
    commit = run_job(pushed({".cocov.yaml": 'version: "0.1.alpha"\nchecks:\n  - plugin: cocov/brakeman:v1\n'}),
                     django_capture_on_commit_callbacks)
    [message] = OutboxMessage.objects.all()
    assert message.payload["checks"] == [{"plugin": "cocov/brakeman:v1", "envs": {}, "mounts": None}]
    assert message.payload["sha"] == commit.sha


def test_the_job_goes_into_a_real_redis_list_when_configured(pushed, fake_github, settings,
                                                             django_capture_on_commit_callbacks, redis_client):
    settings.COCOV_REDIS_URL = redis_client.url
    commit = run_job(pushed({".cocov.yaml": 'version: "0.1.alpha"\nchecks:\n  - plugin: cocov/brakeman:v1\n'}),
                     django_capture_on_commit_callbacks)
    import json

    [raw] = redis_client.lrange("cocov:checks", 0, -1)
    assert json.loads(raw)["job_id"] == commit.check_set.job_id
    assert not OutboxMessage.objects.exists()


def test_a_second_run_changes_nothing(pushed, fake_github, django_capture_on_commit_callbacks, isolated_storage):
    commit = run_job(pushed({".cocov.yaml": MANIFEST.replace("secrets:", "secretz:").split("defaults:")[0]
                             + "checks:\n  - plugin: cocov/rubocop:v0.1\n"}), django_capture_on_commit_callbacks)
    first_state = (commit.check_set.job_id, commit.clone_size, list(Check.objects.values_list("id", flat=True)))
    tree = git_storage().commit_path("calculator", commit.sha)
    mtime = tree.stat().st_mtime_ns
    requests_before = len(fake_github.requests)

    commit = run_job(commit, django_capture_on_commit_callbacks)

    assert (commit.check_set.job_id, commit.clone_size, list(Check.objects.values_list("id", flat=True))) == first_state
    assert OutboxMessage.objects.count() == 1
    assert tree.stat().st_mtime_ns == mtime
    assert len(fake_github.requests) == requests_before


def test_a_sha_missing_from_the_remote_fails_the_job_with_an_error_status(repository, remotes, fake_github,
                                                                         django_capture_on_commit_callbacks):
    remotes.commit(repository.name, {"README.md": "hi\n"})
    commit = CommitFactory(repository=repository, sha="ab" * 20)
    CheckSetFactory(commit=commit)
    with pytest.raises(Exception):
        ProcessCommitJob.run(commit.id)
    commit.refresh_from_db()
    assert commit.clone_status == Commit.CloneStatus.ERRORED
    assert (commit.check_set.status, commit.check_set.error_kind) == (CheckSet.Status.FAILURE, "commit_fetch_failed")
    assert posted_statuses(fake_github, commit) == [checks_status(commit, "error", "Could not fetch this commit")]
    assert not any(git_storage().repository_dir("calculator").glob(f"{commit.sha}*"))
    assert not OutboxMessage.objects.exists()


def test_a_failed_fetch_can_be_retried_once_the_commit_is_there(repository, remotes, fake_github,
                                                                django_capture_on_commit_callbacks):
    commit = CommitFactory(repository=repository, sha="cd" * 20)
    CheckSetFactory(commit=commit)
    with pytest.raises(Exception):
        ProcessCommitJob.run(commit.id)
    real_sha = remotes.commit(repository.name, {".cocov.yaml": 'version: "0.1.alpha"\n'})
    Commit.objects.filter(pk=commit.pk).update(sha=real_sha)
    commit = run_job(Commit.objects.get(pk=commit.pk), django_capture_on_commit_callbacks)
    assert commit.clone_status == Commit.CloneStatus.COMPLETED
    assert (commit.check_set.status, commit.check_set.error_kind) == (CheckSet.Status.NOT_CONFIGURED, "")


def test_no_manifest_means_not_configured_and_no_status(pushed, fake_github, django_capture_on_commit_callbacks):
    commit = run_job(pushed({"README.md": "no manifest here\n"}), django_capture_on_commit_callbacks)
    assert commit.check_set.status == CheckSet.Status.NOT_CONFIGURED
    assert posted_statuses(fake_github, commit) == []
    assert not OutboxMessage.objects.exists()


def test_a_manifest_without_checks_is_looking_good(pushed, fake_github, django_capture_on_commit_callbacks):
    commit = run_job(pushed({".cocov.yaml": 'version: "0.1.alpha"\ncoverage:\n  min_percent: 50\n'}),
                     django_capture_on_commit_callbacks)
    assert commit.check_set.status == CheckSet.Status.NOT_CONFIGURED
    assert posted_statuses(fake_github, commit) == [checks_status(commit, "success", "Looking good!")]


@pytest.mark.parametrize(
    "manifest, kind, description, extra",
    [
        ("- just\n- a list\n", "manifest_root_must_be_mapping", "Invalid manifest: Root should be a mapping", ""),
        ("version: [unclosed\n", "manifest_root_must_be_mapping", "Invalid manifest: Root should be a mapping", ""),
        ("checks: []\n", "manifest_missing_version", "Failure: Invalid manifest", ""),
        ("version: 0.1\n", "manifest_version_type_mismatch", "Failure: Invalid manifest", ""),
        ('version: "9.9"\n', "manifest_version_unsupported", "Failure: Unsupported manifest version", ""),
        ('version: "0.1.alpha"\nchecks:\n  - image: x\n', "manifest_invalid_or_missing_data",
         "Failure: Invalid or Missing Data in Manifest", "checks[0]"),
        ('version: "0.1.alpha"\nchecks:\n  - plugin: a/b\n    mounts:\n      - {source: "secrets:A", destination: /x}\n'
         '      - {source: "secrets:B", destination: /x}\n', "manifest_duplicated_mount_destination",
         "Failure: Duplicated mount destination", "/x"),
        ('version: "0.1.alpha"\nchecks:\n  - plugin: a/b\n    mounts:\n      - {source: "env:A", destination: /x}\n',
         "manifest_invalid_mount_source", "Failure: Invalid mount source", "env:A"),
        ('version: "0.1.alpha"\nchecks:\n  - plugin: a/b\n    mounts:\n      - {source: "secrets:NOPE", destination: /x}\n',
         "manifest_unknown_secret", "Failure: Unknown secret", "Unknown secret `NOPE'"),
    ],
)
def test_a_manifest_error_fails_the_check_set_and_reports_it(pushed, fake_github, django_capture_on_commit_callbacks,
                                                            manifest, kind, description, extra):
    commit = pushed({".cocov.yaml": manifest})
    stale = CheckSet.objects.get(commit=commit)
    Check.objects.create(check_set=stale, plugin_name="left/over")
    commit = run_job(commit, django_capture_on_commit_callbacks)

    check_set = commit.check_set
    assert (check_set.status, check_set.error_kind) == (CheckSet.Status.FAILURE, kind)
    assert extra in check_set.error_extra
    if kind == "manifest_unknown_secret":
        assert check_set.error_extra == extra
    assert not check_set.checks.exists()
    assert posted_statuses(fake_github, commit) == [checks_status(commit, "error", description)]
    assert not OutboxMessage.objects.exists()
    assert commit.clone_status == Commit.CloneStatus.COMPLETED


def test_the_author_is_linked_by_email_case_insensitively(pushed, fake_github, django_capture_on_commit_callbacks):
    email = UserEmailFactory(email="ada@example.com")
    commit = run_job(pushed({"README.md": "x\n"}, author_email="ADA@Example.COM"), django_capture_on_commit_callbacks)
    assert commit.user == email.user


def test_an_unknown_author_stays_unlinked(pushed, fake_github, django_capture_on_commit_callbacks):
    UserEmailFactory(email="someone@example.com")
    commit = run_job(pushed({"README.md": "x\n"}), django_capture_on_commit_callbacks)
    assert commit.user is None


def test_a_clone_queues_the_commits_size_job_after_commit(pushed, fake_github, django_capture_on_commit_callbacks):
    commit = run_job(pushed({"README.md": "x\n"}), django_capture_on_commit_callbacks)
    assert queued_jobs("ComputeRepositoryCommitsSizeJob") == [
        ("ComputeRepositoryCommitsSizeJob", (commit.repository_id,))
    ]


def test_a_deleted_commit_ends_the_job_quietly(fake_github):
    assert ProcessCommitJob.run(987654) is None


def test_nothing_is_dispatched_when_the_transaction_rolls_back(pushed, fake_github, settings, redis_client):
    from django.db import transaction

    settings.COCOV_REDIS_URL = redis_client.url
    commit = pushed({".cocov.yaml": 'version: "0.1.alpha"\nchecks:\n  - plugin: cocov/brakeman:v1\n'})

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback):
        with transaction.atomic():
            ProcessCommitJob.run(commit.id)
            raise Rollback
    assert redis_client.llen("cocov:checks") == 0
    assert CheckSet.objects.get(commit=commit).status == CheckSet.Status.WAITING


SIMPLE_CHECK = 'version: "0.1.alpha"\nchecks:\n  - plugin: cocov/brakeman:v1\n'


@pytest.mark.django_db(transaction=True)
def test_a_worker_queue_failure_leaves_an_errored_check_set_that_a_retry_queues(pushed, fake_github, settings,
                                                                               redis_client):
    commit = pushed({".cocov.yaml": SIMPLE_CHECK})
    settings.COCOV_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    from cocov.dispatch import DispatchFailed

    with pytest.raises(DispatchFailed, match="cocov:checks"):
        ProcessCommitJob.run(commit.id)
    check_set = CheckSet.objects.get(commit=commit)
    assert (check_set.status, check_set.error_kind) == (CheckSet.Status.ERRORED, "worker_dispatch_failed")

    settings.COCOV_REDIS_URL = redis_client.url
    ProcessCommitJob.run(commit.id)
    check_set.refresh_from_db()
    assert check_set.status == CheckSet.Status.QUEUED
    assert redis_client.llen("cocov:checks") == 1


def test_a_github_failure_leaves_an_errored_check_set_with_the_reason(pushed, fake_github):
    commit = pushed({".cocov.yaml": SIMPLE_CHECK})
    fake_github.fail("POST", r"/statuses/", status=422, times=1)
    with pytest.raises(Exception):
        ProcessCommitJob.run(commit.id)
    check_set = CheckSet.objects.get(commit=commit)
    assert (check_set.status, check_set.error_kind) == (CheckSet.Status.ERRORED, "processing_failed")
    assert "422" in check_set.error_extra
    assert not OutboxMessage.objects.exists()


def test_secrets_stored_under_another_key_fail_clearly(pushed, repository, fake_github, settings):
    SecretFactory(name="NPMRC", value="v")
    settings.COCOV_CRYPTOGRAPHIC_KEY = bytes.fromhex("ff" * 16)
    commit = pushed({".cocov.yaml": 'version: "0.1.alpha"\nchecks:\n  - plugin: a/b\n    mounts:\n'
                                    '      - {source: "secrets:NPMRC", destination: /x}\n'})
    from cocov.crypto import DecryptionFailed

    with pytest.raises(DecryptionFailed, match="was the key changed"):
        ProcessCommitJob.run(commit.id)
    check_set = CheckSet.objects.get(commit=commit)
    assert check_set.status == CheckSet.Status.ERRORED and "was the key changed" in check_set.error_extra


def test_an_https_clone_carries_the_token_but_no_message_or_log_line_does(repository, fake_github, settings, caplog):
    settings.COCOV_GITHUB_GIT_URL = "http://127.0.0.1:9"  # nothing listens: the fetch fails at once
    commit = CommitFactory(repository=repository, sha="cd" * 20)
    CheckSetFactory(commit=commit)
    with pytest.raises(Exception) as raised:
        ProcessCommitJob.run(commit.id)
    assert "Could not fetch commit" in str(raised.value)
    assert "127.0.0.1:9" in str(raised.value) or "calculator" in str(raised.value)
    token = settings.COCOV_GITHUB_TOKEN
    assert token not in str(raised.value) and token not in caplog.text
    assert CheckSet.objects.get(commit=commit).error_kind == "commit_fetch_failed"
