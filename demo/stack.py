"""Cocov on real processes: the fake GitHub, a bare git remote, gunicorn and `manage.py qcluster`.

Used by the demo (`python -m demo`) and by the end-to-end tests.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import git

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"Timed out after {timeout}s waiting for {what}")


def make_remote(git_root, org, name, source_dir, author=("Ada Lovelace", "ada@example.com")):
    """A bare repository at <git_root>/<org>/<name>.git holding source_dir as one commit. Returns the sha."""
    work = Path(git_root) / "_work" / name
    shutil.copytree(source_dir, work)
    repo = git.Repo.init(work, initial_branch="master")
    repo.git.add(A=True)
    actor = git.Actor(*author)
    commit = repo.index.commit("Add the calculator", author=actor, committer=actor)
    bare = Path(git_root) / org / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    repo.clone(str(bare), bare=True)
    return commit.hexsha


class Stack:
    """Processes sharing one environment; stop() ends them all."""

    def __init__(self, workdir, org="cocov-demo", github_token="ghs_demo_token", webhook_secret="demo-secret",
                 database_url=None, extra_env=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.org = org
        self.github_token = github_token
        self.webhook_secret = webhook_secret
        self.git_root = self.workdir / "git"
        self.processes = []
        self.github_url = None
        self.web_url = None
        self.env = dict(os.environ)
        self.env.update(
            {
                "DATABASE_URL": database_url or f"sqlite:///{self.workdir / 'cocov.sqlite3'}",
                "COCOV_GITHUB_ORG_NAME": org,
                "COCOV_GITHUB_TOKEN": github_token,
                "COCOV_GITHUB_WEBHOOK_SECRET_KEY": webhook_secret,
                "COCOV_GITHUB_GIT_URL": f"file://{self.git_root}",
                "COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH": str(self.workdir / "git_storage"),
                "COCOV_CRYPTOGRAPHIC_KEY": os.urandom(16).hex(),
                "COCOV_UI_BASE_URL": "http://localhost:4000",
                "DJANGO_SECRET_KEY": uuid.uuid4().hex,
                "DJANGO_DEBUG": "0",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name in ("COCOV_REDIS_URL", "COCOV_QUEUE_REDIS_URL", "COCOV_GITHUB_APP_ID"):
            self.env.pop(name, None)
        self.env.update(extra_env or {})

    # --- processes -------------------------------------------------------------------------
    def _spawn(self, name, args):
        log = open(self.workdir / f"{name}.log", "ab")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((name, process, log))
        return process

    def start_fake_github(self):
        ready = self.workdir / "fakegithub.url"
        ready.unlink(missing_ok=True)
        self._spawn("fakegithub", [PYTHON, "-m", "fakegithub", "--port", "0", "--org", self.org,
                                   "--token", self.github_token, "--ready-file", str(ready)])
        self.github_url = wait_for(lambda: ready.exists() and ready.read_text().strip(), 30, "the fake GitHub")
        self.env["COCOV_GITHUB_API_URL"] = self.github_url

    def start_web(self, workers=2):
        port = free_port()
        self._spawn("web", [PYTHON, "-m", "gunicorn", "cocov.wsgi", "--bind", f"127.0.0.1:{port}",
                            "--workers", str(workers), "--access-logfile", "-"])
        self.web_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: self._answers(self.web_url + "/admin/login/"), 60, "the web server")

    def start_cluster(self):
        self._spawn("qcluster", [PYTHON, "manage.py", "qcluster"])

    def stop(self):
        for _, process, _ in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for _, process, log in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        self.processes.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def log_of(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def _answers(url):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status < 500
        except OSError:
            return False

    # --- commands --------------------------------------------------------------------------
    def manage(self, *args, stdin=None, check=True):
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def describe_commit(self, repo, sha):
        result = self.manage("describe_commit", repo, sha, "--json", check=False)
        return json.loads(result.stdout) if result.returncode == 0 else None

    # --- fake GitHub ---------------------------------------------------------------------
    def github_control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.github_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def github_statuses(self, repo, sha):
        return self.github_control("GET", f"/_fake/statuses/{repo}/{sha}")

    # --- coverage uploads ------------------------------------------------------------
    def upload_report(self, token, sha, body, content_type="application/octet-stream"):
        request = urllib.request.Request(
            f"{self.web_url}/v1/reports?commit_sha={sha}", data=body, method="POST",
            headers={"Authorization": f"token {token}", "Content-Type": content_type},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status

    # --- webhooks ----------------------------------------------------------------------
    def send_webhook(self, event, payload, delivery=None):
        from webhooks.signatures import sign

        body = json.dumps(payload).encode()
        request = urllib.request.Request(
            self.web_url + "/v1/github/events",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": event,
                "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
                "X-Hub-Signature-256": sign(self.webhook_secret, body),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())


def run_coverage_py(project_dir, report="xml"):
    """The sample project's tests under coverage.py; returns the report it wrote (xml, lcov or json)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    def coverage(*args):
        subprocess.run([PYTHON, "-m", "coverage", *args], cwd=project_dir, env=env, check=True,
                       capture_output=True, timeout=300)

    coverage("run", "--source=calculator", "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider", "tests")
    coverage(report, "-o", f"coverage.{report}")
    return (Path(project_dir) / f"coverage.{report}").read_bytes()


def push_payload(template, repository_id, repository_name, org, sha, message, author_name, author_email,
                 branch="master"):
    """A real GitHub push payload (the fixture) pointed at our repository and commit."""
    payload = json.loads(json.dumps(template))
    payload["ref"] = f"refs/heads/{branch}"
    payload["after"] = sha
    payload["repository"].update(id=repository_id, name=repository_name, full_name=f"{org}/{repository_name}")
    head = payload["head_commit"]
    head.update(id=sha, message=message)
    head["author"].update(name=author_name, email=author_email)
    payload["commits"] = [head]
    return payload
