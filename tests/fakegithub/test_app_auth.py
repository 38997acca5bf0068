import time

import jwt
import pytest
import requests
from github import Auth, GithubException, GithubIntegration, UnknownObjectException

from fakegithub import FakeGitHub

from .conftest import ORG, github_client, rsa_keypair

APP_ID = 123456
INSTALLATION = 987


@pytest.fixture
def app_fake(app_keys):
    _, public = app_keys
    with FakeGitHub(org=ORG, tokens=(), app_id=APP_ID, app_public_key_pem=public, installation_id=INSTALLATION) as f:
        f.add_repo("api")
        yield f
    assert f.errors == []


@pytest.mark.parametrize("app_id", [APP_ID, str(APP_ID)])
def test_installation_auth_mints_one_token_and_uses_it(app_fake, app_keys, app_id):
    private, _ = app_keys
    auth = Auth.AppAuth(app_id, private).get_installation_auth(INSTALLATION)
    gh = github_client(app_fake, auth=auth)

    assert gh.get_repo(f"{ORG}/api").name == "api"
    assert gh.get_repo(f"{ORG}/api").name == "api"

    assert len(app_fake.minted_tokens) == 1
    minted = app_fake.minted_tokens[0]
    assert minted.token.startswith("ghs_") and len(minted.token) == 40
    assert minted.installation_id == INSTALLATION
    token_req, *repo_reqs = app_fake.requests
    assert (token_req.method, token_req.path, token_req.status) == (
        "POST", f"/app/installations/{INSTALLATION}/access_tokens", 201)
    assert token_req.auth_scheme == "bearer" and token_req.auth_subject == f"app:{APP_ID}"
    assert token_req.json == {"permissions": {}}
    assert [r.auth_subject for r in repo_reqs] == [f"installation:{INSTALLATION}"] * 2
    assert all(r.auth_scheme == "token" for r in repo_reqs)


def test_access_token_response_shape(app_fake, app_keys):
    private, _ = app_keys
    gi = GithubIntegration(base_url=app_fake.url, auth=Auth.AppAuth(APP_ID, private), retry=None,
                           seconds_between_requests=None, seconds_between_writes=None)

    token = gi.get_access_token(INSTALLATION, permissions={"statuses": "write"})

    assert token.token.startswith("ghs_")
    assert token.permissions == {"statuses": "write"}
    assert token.repository_selection == "all"
    assert 3590 < token.expires_at.timestamp() - time.time() <= 3600
    assert gi.get_org_installation(ORG).id == INSTALLATION
    assert gi.get_app_installation(INSTALLATION).app_id == APP_ID


def test_permissions_beyond_the_app_are_refused(app_fake, app_keys):
    private, _ = app_keys
    gi = GithubIntegration(base_url=app_fake.url, auth=Auth.AppAuth(APP_ID, private), retry=None,
                           seconds_between_requests=None, seconds_between_writes=None)
    with pytest.raises(GithubException) as info:
        gi.get_access_token(INSTALLATION, permissions={"administration": "write"})
    assert info.value.status == 422


def test_jwt_signed_with_the_wrong_key_is_401(app_fake):
    wrong_private, _ = rsa_keypair()
    gh = github_client(app_fake, auth=Auth.AppAuth(APP_ID, wrong_private).get_installation_auth(INSTALLATION))

    with pytest.raises(GithubException) as info:
        gh.get_repo(f"{ORG}/api")

    assert info.value.status == 401
    assert info.value.data["message"] == "A JSON web token could not be decoded"
    assert app_fake.minted_tokens == []
    assert app_fake.requests[0].auth_subject is None


def test_wrong_app_id_and_unknown_installation(app_fake, app_keys):
    private, _ = app_keys
    with pytest.raises(GithubException) as info:
        github_client(app_fake, auth=Auth.AppAuth(1, private).get_installation_auth(INSTALLATION)).get_repo(
            f"{ORG}/api")
    assert info.value.status == 401
    with pytest.raises(UnknownObjectException):
        github_client(app_fake, auth=Auth.AppAuth(APP_ID, private).get_installation_auth(1)).get_repo(f"{ORG}/api")
    assert app_fake.minted_tokens == []


def test_expired_jwt_is_401(app_fake, app_keys):
    private, _ = app_keys
    now = int(time.time())
    token = jwt.encode({"iat": now - 700, "exp": now - 100, "iss": str(APP_ID)}, private, algorithm="RS256")
    resp = requests.post(f"{app_fake.url}/app/installations/{INSTALLATION}/access_tokens",
                         headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert "exp" in resp.json()["message"]


def test_a_static_token_cannot_mint(app_fake):
    app_fake.add_token("ghs_static")
    resp = requests.post(f"{app_fake.url}/app/installations/{INSTALLATION}/access_tokens",
                         headers={"Authorization": "token ghs_static"})
    assert resp.status_code == 401


def test_the_jwt_is_not_a_rest_token(app_fake, app_keys):
    private, _ = app_keys
    gh = github_client(app_fake, auth=Auth.AppAuth(APP_ID, private))
    with pytest.raises(GithubException) as info:
        gh.get_repo(f"{ORG}/api")
    assert info.value.status == 401


def test_minted_tokens_expire(app_keys):
    private, public = app_keys
    with FakeGitHub(app_id=APP_ID, app_public_key_pem=public, token_lifetime=1) as fake:
        fake.add_repo("api")
        gi = GithubIntegration(base_url=fake.url, auth=Auth.AppAuth(APP_ID, private), retry=None,
                               seconds_between_requests=None, seconds_between_writes=None)
        token = gi.get_access_token(INSTALLATION).token
        url = f"{fake.url}/repos/{ORG}/api"
        assert requests.get(url, headers={"Authorization": f"token {token}"}).status_code == 200
        time.sleep(1.1)
        resp = requests.get(url, headers={"Authorization": f"token {token}"})
        assert resp.status_code == 401 and resp.json()["message"] == "Bad credentials"


def test_pygithub_refreshes_tokens_close_to_expiry(app_keys):
    """PyGithub renews an installation token 20s before expires_at: a 10s lifetime means one mint per call."""
    private, public = app_keys
    with FakeGitHub(app_id=APP_ID, app_public_key_pem=public, token_lifetime=10) as fake:
        fake.add_repo("api")
        gh = github_client(fake, auth=Auth.AppAuth(APP_ID, private).get_installation_auth(INSTALLATION))
        gh.get_repo(f"{ORG}/api")
        gh.get_repo(f"{ORG}/api")
        assert len(fake.minted_tokens) == 2
