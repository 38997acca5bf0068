import pytest
import requests
from github import GithubException

from fakegithub import FakeGitHub

from .conftest import ORG, TOKEN, github_client

SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"


@pytest.fixture
def repo(fake, gh):
    fake.add_repo("api")
    fake.add_commit("api", SHA, message="Add coverage")
    return gh.get_repo(f"{ORG}/api")


def test_create_status_is_recorded_with_the_json_body(fake, repo):
    fake.clear_requests()

    status = repo.get_commit(SHA).create_status(
        state="success", target_url="https://cocov.example/r/1", description="80% covered", context="cocov"
    )

    assert status.state == "success"
    assert status.context == "cocov"
    assert status.description == "80% covered"
    assert status.target_url == "https://cocov.example/r/1"
    assert status.id > 0
    assert status.creator.login == "cocov-fake[bot]"
    assert status.created_at.tzinfo is not None
    posts = fake.requests_to("POST", r"/statuses/")
    assert len(posts) == 1
    assert posts[0].path == f"/repos/{ORG}/api/statuses/{SHA}"
    assert posts[0].json == {
        "state": "success",
        "target_url": "https://cocov.example/r/1",
        "description": "80% covered",
        "context": "cocov",
    }
    assert posts[0].status == 201
    assert fake.statuses("api", SHA) == [posts[0].json]


def test_statuses_list_newest_first_and_helper_in_order(fake, repo):
    commit = repo.get_commit(SHA)
    commit.create_status("pending", context="cocov")
    commit.create_status("success", context="cocov")
    commit.create_status("failure", context="other")

    assert [s.state for s in commit.get_statuses()] == ["failure", "success", "pending"]
    assert [s["state"] for s in fake.statuses("API", SHA)] == ["pending", "success", "failure"]
    combined = commit.get_combined_status()
    assert combined.state == "failure"
    assert {s.context: s.state for s in combined.statuses} == {"cocov": "success", "other": "failure"}


def test_both_status_list_urls_paginate(fake, repo):
    commit = repo.get_commit(SHA)
    for i in range(35):
        commit.create_status("pending", context=f"c{i}")
    headers = {"Authorization": f"token {TOKEN}"}

    for url in (f"{fake.url}/repos/{ORG}/api/commits/{SHA}/statuses", f"{fake.url}/repos/{ORG}/api/statuses/{SHA}"):
        first = requests.get(url, headers=headers)
        assert len(first.json()) == 30
        assert first.json()[0]["context"] == "c34"
        assert first.links["next"]["url"] == f"{url}?page=2"
        assert len(requests.get(first.links["next"]["url"], headers=headers).json()) == 5


@pytest.mark.parametrize("state", ["ok", "", None])
def test_invalid_state_is_422(fake, repo, state):
    with pytest.raises(GithubException) as info:
        repo.get_commit(SHA).create_status(state=state or "")
    assert info.value.status == 422
    assert info.value.data["message"] == "Validation Failed"
    assert info.value.data["errors"][0]["field"] == "state"
    assert fake.statuses("api", SHA) == []


def test_too_long_description_is_422(fake, repo):
    with pytest.raises(GithubException) as info:
        repo.get_commit(SHA).create_status("success", description="x" * 141)
    assert info.value.status == 422


def test_status_for_unregistered_sha_is_accepted_unless_strict(fake, gh):
    fake.add_repo("api")
    lazy = github_client(fake, lazy=True)
    lazy.get_repo(f"{ORG}/api").get_commit("e" * 40).create_status("success")
    assert fake.statuses("api", "e" * 40) == [{"state": "success"}]

    with FakeGitHub(org=ORG, tokens=(TOKEN,), strict_commits=True) as strict:
        strict.add_repo("api")
        with pytest.raises(GithubException) as info:
            github_client(strict, lazy=True).get_repo(f"{ORG}/api").get_commit("e" * 40).create_status("success")
        assert info.value.status == 422


def test_lazy_client_posts_status_without_any_get(fake):
    """Github(lazy=True): get_repo + get_commit + create_status is a single POST."""
    fake.add_repo("api")
    fake.add_commit("api", SHA)
    gh = github_client(fake, lazy=True)

    gh.get_repo(f"{ORG}/api").get_commit(SHA).create_status("success", context="cocov")

    assert [(r.method, r.path) for r in fake.requests] == [("POST", f"/repos/{ORG}/api/statuses/{SHA}")]


def test_eager_client_fetches_repo_and_commit_first(fake):
    fake.add_repo("api")
    fake.add_commit("api", SHA)
    gh = github_client(fake)

    gh.get_repo(f"{ORG}/api").get_commit(SHA).create_status("success")

    assert [r.method for r in fake.requests] == ["GET", "GET", "POST"]


def test_status_on_unknown_repo_is_404(fake):
    resp = requests.post(f"{fake.url}/repos/{ORG}/nope/statuses/{SHA}", json={"state": "success"},
                         headers={"Authorization": f"token {TOKEN}"})
    assert resp.status_code == 404


def test_non_json_body_is_400(fake, repo):
    resp = requests.post(f"{fake.url}/repos/{ORG}/api/statuses/{SHA}", data="not json",
                         headers={"Authorization": f"token {TOKEN}"})
    assert resp.status_code == 400
    assert resp.json()["message"] == "Problems parsing JSON"
