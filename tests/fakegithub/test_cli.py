import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from github import Auth, Github

ROOT = Path(__file__).resolve().parents[2]
SHA = "9" * 40


@pytest.fixture
def cli_server(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({
        "repos": [{"name": "seeded", "description": "from file"}],
        "commits": [{"repo": "seeded", "sha": SHA, "message": "seed"}],
        "users": [{"login": "alice", "token": "gho_alice", "emails": ["alice@example.com"]}],
        "members": ["alice"],
    }))
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakegithub", "--port", "0", "--org", "demo-org", "--token", "ghs_cli",
         "--state", str(state), "--ready-file", str(ready)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 15
    while not ready.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "fake GitHub did not become ready"
        time.sleep(0.05)
    url = ready.read_text().strip()
    yield proc, url
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_cli_serves_rest_and_control_endpoints(cli_server):
    proc, url = cli_server
    assert url.startswith("http://127.0.0.1:")
    assert proc.stdout.readline().strip() == url

    gh = Github(base_url=url, auth=Auth.Token("ghs_cli"), retry=None, seconds_between_requests=None,
                seconds_between_writes=None, lazy=True)
    assert gh.get_repo("demo-org/seeded").get_commit(SHA).commit.message == "seed"

    assert requests.post(f"{url}/_fake/repos", json={"name": "added"}).status_code == 201
    assert requests.post(f"{url}/_fake/fail", json={"method": "POST", "path_regex": "/statuses/",
                                                     "status": 500}).status_code == 201
    status_url = f"{url}/repos/demo-org/added/statuses/{SHA}"
    auth = {"Authorization": "token ghs_cli"}
    assert requests.post(status_url, json={"state": "pending"}, headers=auth).status_code == 500
    assert requests.post(status_url, json={"state": "success", "context": "cocov"}, headers=auth).status_code == 201

    recorded = requests.get(f"{url}/_fake/requests").json()
    assert [(r["method"], r["status"]) for r in recorded][-2:] == [("POST", 500), ("POST", 201)]
    assert all(r["headers"].get("Authorization") in (None, "<redacted>") for r in recorded)
    assert "ghs_cli" not in json.dumps(recorded)
    assert requests.get(f"{url}/_fake/statuses/added/{SHA}").json() == [{"state": "success", "context": "cocov"}]

    me = Github(base_url=url, auth=Auth.Token("gho_alice"), retry=None).get_user()
    assert me.login == "alice"


def test_cli_stops_cleanly_on_sigterm(cli_server):
    proc, url = cli_server
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_fake/health", timeout=1)


def test_cli_bad_control_input_is_400(cli_server):
    _, url = cli_server
    resp = requests.post(f"{url}/_fake/repos", json={"nam": "typo"})
    assert resp.status_code == 400
    assert "nam" in resp.json()["message"]
