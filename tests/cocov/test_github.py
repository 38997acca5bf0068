"""cocov.github against the fake GitHub over HTTP, with App auth and with a static token."""

import pytest

from cocov import github
from fakegithub import FakeGitHub
from tests.fakegithub.conftest import rsa_keypair

APP_ID, INSTALLATION = 4242, 987


@pytest.fixture
def app_github(settings):
    private, public = rsa_keypair()
    github._app_installation_auth.cache_clear()

    def start(token_lifetime=3600):
        fake = FakeGitHub(org=settings.COCOV_GITHUB_ORG_NAME, tokens=(), app_id=APP_ID, app_public_key_pem=public,
                          installation_id=INSTALLATION, token_lifetime=token_lifetime).start()
        fake.add_repo("calculator")
        settings.COCOV_GITHUB_API_URL = fake.url
        settings.COCOV_GITHUB_APP_ID = str(APP_ID)
        settings.COCOV_GITHUB_APP_PRIVATE_KEY = private
        settings.COCOV_GITHUB_APP_INSTALLATION_ID = INSTALLATION
        settings.COCOV_GITHUB_TOKEN = None
        started.append(fake)
        return fake

    started = []
    yield start
    for fake in started:
        fake.stop()
    github._app_installation_auth.cache_clear()


def post(sha="a" * 40, state="success"):
    github.post_status("calculator", sha, state=state, context="cocov", description="d", target_url="http://ui/x")


def test_a_status_is_one_post_with_githubs_fields(fake_github):
    fake_github.add_repo("calculator")
    post(state="pending")
    [request] = fake_github.requests
    assert (request.method, request.path) == ("POST", f"/repos/cocov-test/calculator/statuses/{'a' * 40}")
    assert request.json == {"state": "pending", "context": "cocov", "description": "d", "target_url": "http://ui/x"}
    assert request.auth_subject.startswith("static")


def test_app_auth_mints_an_installation_token_once_and_reuses_it(app_github):
    fake = app_github()
    post()
    post()
    assert len(fake.minted_tokens) == 1
    assert [r.auth_subject for r in fake.requests_to("POST", r"/statuses/")] == [f"installation:{INSTALLATION}"] * 2


def test_app_auth_refreshes_the_token_before_it_expires(app_github):
    fake = app_github(token_lifetime=15)  # inside PyGithub's 20 s refresh margin: every use renews it
    post()
    post()
    assert len(fake.minted_tokens) == 2
    assert len(fake.requests_to("POST", r"/statuses/")) == 2


def test_the_clone_token_is_the_installation_token(app_github):
    fake = app_github()
    token = github.access_token()
    assert [minted.token for minted in fake.minted_tokens] == [token]
    assert token.startswith("ghs_")


def test_no_credentials_is_a_clear_error(settings):
    settings.COCOV_GITHUB_APP_ID = None
    settings.COCOV_GITHUB_TOKEN = None
    with pytest.raises(github.GitHubNotConfigured, match="COCOV_GITHUB_TOKEN"):
        post()
