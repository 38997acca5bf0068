import pytest
from django.core.management import CommandError, call_command

from repositories.models import Repository

pytestmark = pytest.mark.django_db


def test_registers_the_repository_from_github_and_prints_its_token_once(fake_github, capsys):
    remote = fake_github.add_repo("calculator", id=77, description="A calculator", default_branch="main")
    call_command("add_repository", "calculator")
    out = capsys.readouterr().out
    repository = Repository.objects.get()
    assert (repository.name, repository.github_id, repository.description, repository.default_branch) == (
        "calculator", remote["id"], "A calculator", "main"
    )
    token = next(word for word in out.split() if word.startswith("crt_"))
    assert Repository.objects.with_token(token) == repository
    assert token not in repository.token_digest
    assert [r.path for r in fake_github.requests] == ["/repos/cocov-test/calculator"]


def test_an_unknown_name_is_one_clear_error(fake_github):
    with pytest.raises(CommandError, match="cocov-test/nope was not found on GitHub"):
        call_command("add_repository", "nope")
    assert not Repository.objects.exists()


def test_a_repository_already_registered_is_refused(fake_github):
    fake_github.add_repo("calculator")
    call_command("add_repository", "calculator")
    with pytest.raises(CommandError, match="already registered"):
        call_command("add_repository", "CALCULATOR")
    assert Repository.objects.count() == 1


def test_github_failing_is_reported_without_creating_anything(fake_github):
    fake_github.add_repo("calculator")
    fake_github.fail("GET", r"/repos/.*", status=502, times=50)
    with pytest.raises(CommandError, match="GitHub could not be reached when asked for calculator"):
        call_command("add_repository", "calculator")
    assert not Repository.objects.exists()


def test_a_github_error_answer_is_reported(fake_github):
    fake_github.add_repo("calculator")
    fake_github.fail("GET", r"/repos/.*", status=451, times=1)
    with pytest.raises(CommandError, match="GitHub answered 451 when asked for calculator"):
        call_command("add_repository", "calculator")
    assert not Repository.objects.exists()


def test_the_command_exits_with_status_1_and_one_line(fake_github, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "COCOV_GITHUB_API_URL": fake_github.url, "DJANGO_SETTINGS_MODULE": "cocov.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], env=env, check=True)
    result = subprocess.run([sys.executable, "manage.py", "add_repository", "ghost"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: Repository cocov-test/ghost was not found on GitHub"


@pytest.mark.parametrize("name", ["real?x=1", "../x", "a b", "", ".."])
def test_a_name_github_would_not_allow_is_refused_before_asking_github(fake_github, name):
    with pytest.raises(CommandError, match="Repository name must be a name in cocov-test"):
        call_command("add_repository", name)
    assert fake_github.requests == []


@pytest.mark.parametrize("name, value, message", [
    ("", "v", "A secret's name"), ("bad name", "v", "A secret's name"), ("OK", "   \n", "was empty"),
])
def test_add_secret_refuses_bad_names_and_empty_values(name, value, message, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(value))
    with pytest.raises(CommandError, match=message):
        call_command("add_secret", name)


def test_add_secret_stores_an_encrypted_value(monkeypatch):
    import io

    from repositories.models import Secret

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    call_command("add_secret", "NPM_TOKEN")
    secret = Secret.objects.get()
    assert (secret.name, secret.scope, secret.value) == ("NPM_TOKEN", "organization", "s3cret")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM repositories_secret")
        assert "s3cret" not in cursor.fetchone()[0]
