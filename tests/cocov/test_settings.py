import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def run_manage(tmp_path, *args, drop=(), **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("COCOV_", "DJANGO_", "DATABASE_URL"))}
    environment.update(
        COCOV_GITHUB_ORG_NAME="acme",
        COCOV_GITHUB_WEBHOOK_SECRET_KEY="hook-secret",
        DJANGO_SECRET_KEY="k",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    for name in drop:
        environment.pop(name, None)
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["COCOV_GITHUB_ORG_NAME", "COCOV_GITHUB_WEBHOOK_SECRET_KEY", "DJANGO_SECRET_KEY"])
def test_a_missing_required_setting_stops_start_up_with_one_line_naming_it(tmp_path, name):
    result = run_manage(tmp_path, "check", drop=(name,))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"cocov: configuration error: {name} is required but not set"]


def test_the_webhook_secret_is_optional_in_debug(tmp_path):
    result = run_manage(tmp_path, "check", drop=("COCOV_GITHUB_WEBHOOK_SECRET_KEY", "DJANGO_SECRET_KEY"),
                        DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"COCOV_CRYPTOGRAPHIC_KEY": "not-hex"}, "COCOV_CRYPTOGRAPHIC_KEY must be 32 hexadecimal characters"),
        ({"COCOV_GITHUB_APP_PRIVATE_KEY": "%%%"}, "COCOV_GITHUB_APP_PRIVATE_KEY must be the base64 of a PEM"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be a boolean"),
        ({"COCOV_GITHUB_APP_ID": "12"}, "COCOV_GITHUB_APP_PRIVATE_KEY and COCOV_GITHUB_APP_INSTALLATION_ID are required"),
        ({"DATABASE_URL": "garbage"}, "DATABASE_URL must be"),
        ({"DATABASE_URL": "mysql://u:p@h/db"}, "DATABASE_URL must be a postgres:// or sqlite:/// URL"),
        ({"COCOV_LOG_LEVEL": "LOUD"}, "COCOV_LOG_LEVEL must be one of"),
        ({"COCOV_REDIS_URL": "garbage"}, "COCOV_REDIS_URL must be a redis://"),
        ({"COCOV_QUEUE_REDIS_URL": "http://x"}, "COCOV_QUEUE_REDIS_URL must be a redis://"),
    ],
)
def test_a_bad_setting_is_one_line_that_does_not_echo_its_value(tmp_path, env, message):
    result = run_manage(tmp_path, "check", **env)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert message in line
    assert "%%%" not in line and "not-hex" not in line


def test_migrate_alone_makes_the_cache_table(tmp_path):
    assert run_manage(tmp_path, "migrate", "-v", "0").returncode == 0
    import sqlite3

    tables = {row[0] for row in sqlite3.connect(tmp_path / "db.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cocov_cache", "django_q_ormq", "repositories_commit"} <= tables
