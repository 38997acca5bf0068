import json

import requests
from github import Auth

from fakegithub import REDACTED

from .conftest import ORG, TOKEN, github_client


def test_requests_are_recorded_without_secrets(fake, gh):
    fake.add_repo("api")
    fake.add_user("alice", token="gho_secret_user_token")
    gh.get_repo(f"{ORG}/api")
    github_client(fake, auth=Auth.Token("gho_secret_user_token")).get_user().login
    requests.get(f"{fake.url}/repos/{ORG}/api?x=1&x=2", headers={"Authorization": "token ghs_bad_token"})

    dump = json.dumps([r.to_dict() for r in fake.requests])
    for secret in (TOKEN, "gho_secret_user_token", "ghs_bad_token"):
        assert secret not in dump
    first, second, third = fake.requests
    assert first.headers["Authorization"] == REDACTED
    assert (first.auth_scheme, first.auth_subject, first.authenticated) == ("token", "static:0", True)
    assert second.auth_subject == "user:alice"
    assert (third.auth_subject, third.authenticated, third.status) == (None, False, 401)
    assert third.query == {"x": ["1", "2"]}
    assert first.route == "get_repo"
    assert "PyGithub" in first.headers["User-Agent"]


def test_requests_to_and_clear(fake, gh):
    fake.add_repo("api")
    gh.get_repo(f"{ORG}/api")
    requests.get(f"{fake.url}/orgs/{ORG}/repos", headers={"Authorization": f"token {TOKEN}"})

    assert len(fake.requests_to("GET", r"^/repos/")) == 1
    assert len(fake.requests_to("*", r"/repos")) == 2
    assert fake.requests_to("POST", r".") == []
    fake.clear_requests()
    assert fake.requests == []


def test_control_endpoints_are_not_recorded_and_need_no_auth(fake):
    resp = requests.post(f"{fake.url}/_fake/repos", json={"name": "api", "private": True})
    assert resp.status_code == 201 and resp.json()["private"] is True
    assert requests.get(f"{fake.url}/_fake/requests").json() == []
    assert fake.requests == []


def test_quiet_by_default(fake, gh, capfd):
    fake.add_repo("api")
    gh.get_repo(f"{ORG}/api")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_stop_closes_keep_alive_connections():
    from fakegithub import FakeGitHub

    fake = FakeGitHub().start()
    fake.add_repo("api")
    gh = github_client(fake)
    gh.get_repo(f"{ORG}/api")  # leaves a pooled keep-alive connection
    fake.stop()
    with_error = None
    try:
        gh.get_repo(f"{ORG}/api")
    except Exception as e:  # noqa: BLE001 - any connection failure will do
        with_error = e
    assert isinstance(with_error, requests.exceptions.ConnectionError)
    assert len(fake.requests) == 1
