import time

import pytest
import requests
from github import GithubException, RateLimitExceededException

from .conftest import ORG, TOKEN, github_client

SHA = "c" * 40


@pytest.fixture(autouse=True)
def seeded(fake):
    fake.add_repo("api")
    fake.add_commit("api", SHA)


def test_fail_then_next_call_succeeds(fake, gh):
    fake.fail("GET", rf"^/repos/{ORG}/api$", status=502)

    with pytest.raises(GithubException) as info:
        gh.get_repo(f"{ORG}/api")
    assert info.value.status == 502
    assert info.value.data["message"] == "Bad Gateway"

    assert gh.get_repo(f"{ORG}/api").name == "api"
    assert [r.status for r in fake.requests] == [502, 200]


def test_fail_counts_times_and_only_matching_method(fake, gh):
    fake.fail("POST", r"/statuses/", status=500, times=2, body={"message": "boom"})
    commit = github_client(fake, lazy=True).get_repo(f"{ORG}/api").get_commit(SHA)

    gh.get_repo(f"{ORG}/api")  # GETs are untouched
    for _ in range(2):
        with pytest.raises(GithubException) as info:
            commit.create_status("success")
        assert (info.value.status, info.value.data) == (500, {"message": "boom"})
    commit.create_status("success")

    assert fake.statuses("api", SHA) == [{"state": "success"}]
    assert fake.pending_faults == 0


def test_fail_with_raw_text_body(fake):
    fake.fail("*", r"/repos/", status=503, body="<html>unicorn</html>")
    resp = requests.get(f"{fake.url}/repos/{ORG}/api", headers={"Authorization": f"token {TOKEN}"})
    assert resp.status_code == 503
    assert resp.headers["Content-Type"].startswith("text/html")
    assert resp.text == "<html>unicorn</html>"


def test_primary_rate_limit(fake, gh):
    fake.rate_limit("GET", r"/repos/", reset_in=120)

    with pytest.raises(RateLimitExceededException) as info:
        gh.get_repo(f"{ORG}/api")

    exc = info.value
    assert exc.status == 403
    assert exc.data["message"].startswith("API rate limit exceeded for ")
    assert exc.headers["x-ratelimit-remaining"] == "0"
    assert exc.headers["x-ratelimit-limit"] == "5000"
    assert 100 < int(exc.headers["x-ratelimit-reset"]) - time.time() <= 120
    assert gh.get_repo(f"{ORG}/api").name == "api"


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit(fake, gh, status):
    fake.rate_limit("GET", r"/repos/", secondary=True, status=status, retry_after=30)

    with pytest.raises(GithubException) as info:
        gh.get_repo(f"{ORG}/api")

    assert info.value.status == status
    assert info.value.headers["retry-after"] == "30"
    assert "secondary rate limit" in info.value.data["message"]
    if status == 403:  # PyGithub only maps 403s to RateLimitExceededException
        assert isinstance(info.value, RateLimitExceededException)


def test_default_pygithub_retry_hides_transient_5xx(fake):
    """PyGithub's default GithubRetry retries 5xx (GET and POST) up to 10 times without backoff."""
    from github import Github

    gh = github_client(fake, retry=Github.default_retry)
    fake.fail("GET", r"/repos/", status=500, times=2)

    assert gh.get_repo(f"{ORG}/api").name == "api"
    assert [r.status for r in fake.requests] == [500, 500, 200]


def test_default_pygithub_retry_waits_out_secondary_rate_limit(fake):
    from github import Github

    gh = github_client(fake, retry=Github.default_retry)
    fake.rate_limit("GET", r"/repos/", secondary=True, retry_after=1)

    started = time.monotonic()
    assert gh.get_repo(f"{ORG}/api").name == "api"
    assert time.monotonic() - started >= 0.9
    assert [r.status for r in fake.requests] == [403, 200]


def test_every_response_carries_github_headers(fake):
    ok = requests.get(f"{fake.url}/repos/{ORG}/api", headers={"Authorization": f"token {TOKEN}"})
    again = requests.get(f"{fake.url}/repos/{ORG}/api", headers={"Authorization": f"token {TOKEN}"})
    missing = requests.get(f"{fake.url}/repos/{ORG}/nope", headers={"Authorization": f"token {TOKEN}"})

    for resp in (ok, again, missing):
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
        for name in ("Limit", "Remaining", "Reset", "Used", "Resource"):
            assert f"X-RateLimit-{name}" in resp.headers
        assert resp.headers["X-GitHub-Request-Id"]
    assert ok.headers["X-RateLimit-Limit"] == "5000"
    assert int(again.headers["X-RateLimit-Remaining"]) == int(ok.headers["X-RateLimit-Remaining"]) - 1
    assert ok.headers["X-GitHub-Request-Id"] != again.headers["X-GitHub-Request-Id"]


def test_delay_lets_clients_time_out(fake):
    fake.fail("GET", r"/repos/", status=500, delay=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{fake.url}/repos/{ORG}/api", headers={"Authorization": f"token {TOKEN}"}, timeout=0.1)


def test_default_pygithub_retry_gives_up_with_a_requests_error_not_a_github_exception(fake):
    """After 1 + 10 answers of 5xx, PyGithub's default retry raises requests' RetryError."""
    from github import Github

    gh = github_client(fake, retry=Github.default_retry)
    fake.fail("GET", r"/repos/", status=503, times=20)

    with pytest.raises(requests.exceptions.RetryError):
        gh.get_repo(f"{ORG}/api")
    assert len(fake.requests) == 11
