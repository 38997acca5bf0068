import pytest
import requests
from github import Auth, BadCredentialsException, GithubException, UnknownObjectException

from .conftest import ORG, TOKEN, github_client


def test_get_repo_returns_github_shape(fake, gh):
    created = fake.add_repo("api", id=4242, description="The API", default_branch="main", private=True)

    repo = gh.get_repo(f"{ORG}/api")

    assert repo.id == 4242 == created["id"]
    assert repo.full_name == f"{ORG}/api"
    assert repo.name == "api"
    assert repo.private is True
    assert repo.visibility == "private"
    assert repo.description == "The API"
    assert repo.default_branch == "main"
    assert repo.fork is False
    assert repo.owner.login == ORG
    assert repo.owner.type == "Organization"
    assert repo.html_url == f"https://github.com/{ORG}/api"
    assert repo.url == f"{fake.url}/repos/{ORG}/api"
    assert repo.permissions.push is True and repo.permissions.admin is True


def test_repo_names_match_case_insensitively(fake, gh):
    fake.add_repo("Api-Server")

    repo = gh.get_repo("COCOV-TEST/api-server")

    assert repo.full_name == f"{ORG}/Api-Server"


def test_unknown_repo_raises_unknown_object(fake, gh):
    with pytest.raises(UnknownObjectException) as info:
        gh.get_repo(f"{ORG}/nope")
    assert info.value.status == 404
    assert info.value.data["message"] == "Not Found"


def test_repo_of_another_owner_is_not_found(fake, gh):
    fake.add_repo("api")
    with pytest.raises(UnknownObjectException):
        gh.get_repo("someone-else/api")


def test_bad_token_raises_bad_credentials(fake):
    fake.add_repo("api")
    gh = github_client(fake, auth=Auth.Token("ghs_wrong"))

    with pytest.raises(BadCredentialsException) as info:
        gh.get_repo(f"{ORG}/api")

    assert info.value.status == 401
    assert info.value.data == {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}


def test_bearer_scheme_is_accepted(fake):
    fake.add_repo("api")
    resp = requests.get(f"{fake.url}/repos/{ORG}/api", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200


def test_missing_token_is_rejected(fake):
    fake.add_repo("api")
    resp = requests.get(f"{fake.url}/repos/{ORG}/api")
    assert resp.status_code == 401
    assert resp.json()["message"] == "Requires authentication"


def test_unknown_route_is_404_json(fake):
    resp = requests.get(f"{fake.url}/repos/{ORG}/api/hooks", headers={"Authorization": f"token {TOKEN}"})
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.json()["message"] == "Not Found"
    assert fake.requests[-1].route is None


def test_removed_repo_is_gone(fake, gh):
    fake.add_repo("api")
    fake.remove_repo("api")
    with pytest.raises(UnknownObjectException):
        gh.get_repo(f"{ORG}/api")


def test_renamed_repo_redirects_like_github(fake, gh):
    fake.add_repo("old-name", id=77)
    fake.rename_repo("old-name", "new-name")

    repo = gh.get_repo(f"{ORG}/old-name")  # PyGithub follows the 301

    assert repo.name == "new-name"
    assert repo.id == 77
    assert [(r.method, r.path, r.status) for r in fake.requests] == [
        ("GET", f"/repos/{ORG}/old-name", 301),
        ("GET", "/repositories/77", 200),
    ]


def test_repository_by_id(fake, gh):
    fake.add_repo("api", id=99)
    assert gh.get_repo(99).full_name == f"{ORG}/api"


def test_get_commit(fake, gh):
    fake.add_repo("api")
    fake.add_user("alice", id=501)
    sha = "0123456789abcdef0123456789abcdef01234567"
    fake.add_commit("api", sha, message="Fix it", author_name="Alice", author_email="alice@example.com",
                    author_login="alice")
    fake.add_commit("api", "f" * 40, message="anonymous")

    commit = gh.get_repo(f"{ORG}/api").get_commit(sha)

    assert commit.sha == sha
    assert commit.commit.message == "Fix it"
    assert commit.commit.author.name == "Alice"
    assert commit.commit.author.email == "alice@example.com"
    assert commit.author.login == "alice" and commit.author.id == 501
    assert gh.get_repo(f"{ORG}/api").get_commit("f" * 40).author is None
    # unique prefixes resolve like on GitHub
    assert gh.get_repo(f"{ORG}/api").get_commit(sha[:7]).sha == sha


def test_unknown_commit_is_422(fake, gh):
    fake.add_repo("api")
    with pytest.raises(GithubException) as info:
        gh.get_repo(f"{ORG}/api").get_commit("d" * 40)
    assert info.value.status == 422
    assert info.value.data["message"] == f"No commit found for SHA: {'d' * 40}"


def test_user_token_cannot_see_private_repo_without_access(fake):
    fake.add_repo("secret", private=True)
    fake.add_repo("open")
    fake.add_user("mallory", token="gho_mallory")
    gh = github_client(fake, auth=Auth.Token("gho_mallory"))

    assert gh.get_repo(f"{ORG}/open").permissions.pull is True
    assert gh.get_repo(f"{ORG}/open").permissions.push is False
    with pytest.raises(UnknownObjectException):
        gh.get_repo(f"{ORG}/secret")

    fake.add_collaborator("secret", "mallory", "triage")
    perms = gh.get_repo(f"{ORG}/secret").permissions
    assert (perms.triage, perms.push) == (True, False)
