import pytest
import requests
from github import Auth, GithubException, UnknownObjectException

from .conftest import ORG, TOKEN, github_client


def test_authenticated_user_and_emails(fake):
    fake.add_user("alice", id=321, token="gho_alice", emails=["alice@example.com", "a@work.example"], name="Alice")
    gh = github_client(fake, auth=Auth.Token("gho_alice"))

    me = gh.get_user()
    assert me.login == "alice"
    assert me.id == 321
    assert me.name == "Alice"
    emails = me.get_emails()
    assert [(e.email, e.primary, e.verified) for e in emails] == [
        ("alice@example.com", True, True),
        ("a@work.example", False, True),
    ]
    assert fake.requests[-1].auth_subject == "user:alice"


def test_app_tokens_cannot_read_the_user(fake, gh):
    with pytest.raises(GithubException) as info:
        gh.get_user().login
    assert info.value.status == 403
    assert info.value.data["message"] == "Resource not accessible by integration"


def test_get_user_by_login(fake, gh):
    fake.add_user("bob", id=77)
    user = gh.get_user("bob")
    assert (user.login, user.id, user.type) == ("bob", 77, "User")
    with pytest.raises(UnknownObjectException):
        gh.get_user("nobody").id


def test_org_members_and_membership(fake, gh):
    fake.add_member("alice")
    fake.add_member("bob", role="admin")
    fake.add_user("carol")
    org = gh.get_organization(ORG)

    assert sorted(u.login for u in org.get_members()) == ["alice", "bob"]
    assert org.has_in_members(gh.get_user("alice")) is True
    assert org.has_in_members(gh.get_user("carol")) is False
    assert gh.get_user("bob").get_organization_membership(ORG).role == "admin"
    with pytest.raises(UnknownObjectException):
        gh.get_user("carol").get_organization_membership(ORG)
    headers = {"Authorization": f"token {TOKEN}"}
    assert requests.get(f"{fake.url}/orgs/{ORG}/members/alice", headers=headers).status_code == 204
    assert requests.get(f"{fake.url}/orgs/{ORG}/members/carol", headers=headers).status_code == 404


def test_members_paginate(fake, gh):
    for i in range(45):
        fake.add_member(f"user{i}")
    assert len(list(gh.get_organization(ORG).get_members())) == 45
    assert len(fake.requests_to("GET", "/members$")) == 2


def test_collaborators_carry_permissions_and_role_name(fake, gh):
    fake.add_repo("api")
    for login, perm in [("ann", "admin"), ("max", "maintain"), ("pat", "push"), ("tri", "triage"), ("rob", "pull")]:
        fake.add_collaborator("api", login, perm)

    collabs = {c.login: c for c in gh.get_repo(f"{ORG}/api").get_collaborators()}

    assert {login: c.role_name for login, c in collabs.items()} == {
        "ann": "admin", "max": "maintain", "pat": "write", "tri": "triage", "rob": "read",
    }
    p = collabs["pat"].permissions
    assert (p.admin, p.maintain, p.push, p.triage, p.pull) == (False, False, True, True, True)
    p = collabs["ann"].permissions
    assert (p.admin, p.maintain, p.push, p.triage, p.pull) == (True, True, True, True, True)
    repo = gh.get_repo(f"{ORG}/api")
    assert repo.get_collaborator_permission("max") == "write"
    assert repo.has_in_collaborators("rob") is True
    assert repo.has_in_collaborators("nobody") is False


def test_invalid_permission_is_rejected(fake):
    fake.add_repo("api")
    with pytest.raises(ValueError):
        fake.add_collaborator("api", "x", "write")
