import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, Github

from fakegithub import FakeGitHub

ORG = "cocov-test"
TOKEN = "ghs_testtoken"


def github_client(fake, auth=None, **kwargs):
    """A real PyGithub client against the fake, without retries or request pacing."""
    kwargs.setdefault("retry", None)
    kwargs.setdefault("seconds_between_requests", None)
    kwargs.setdefault("seconds_between_writes", None)
    return Github(base_url=fake.url, auth=auth or Auth.Token(TOKEN), **kwargs)


def rsa_keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


@pytest.fixture
def fake():
    with FakeGitHub(org=ORG, tokens=(TOKEN,)) as server:
        yield server
    assert server.errors == [], "the fake raised internally:\n" + "\n".join(server.errors)


@pytest.fixture
def gh(fake):
    return github_client(fake)


@pytest.fixture(scope="session")
def app_keys():
    return rsa_keypair()
