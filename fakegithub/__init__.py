"""A fake GitHub REST API server for tests and demos (stdlib http.server; no Django).

    from fakegithub import FakeGitHub
    with FakeGitHub(org="cocov-test", tokens=("ghs_testtoken",)) as fake:
        fake.add_repo("api")
        gh = Github(base_url=fake.url, auth=Auth.Token("ghs_testtoken"))

Out of process: ``python -m fakegithub --port 0 --org NAME --token TOKEN --ready-file PATH``.
"""

from .auth import DEFAULT_APP_PERMISSIONS, MintedToken
from .recording import REDACTED, RecordedRequest
from .server import FakeGitHub

__all__ = ["FakeGitHub", "RecordedRequest", "MintedToken", "DEFAULT_APP_PERMISSIONS", "REDACTED"]
