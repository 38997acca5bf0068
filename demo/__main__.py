"""`make demo`: a push goes through Cocov on real processes, and what happened is printed."""

import json
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from demo.stack import Stack, make_remote, push_payload, run_coverage_py, wait_for

HERE = Path(__file__).resolve().parent
REPO_NAME = "calculator"


def say(text=""):
    print(text, flush=True)


def main():
    workdir = Path(tempfile.mkdtemp(prefix="cocov-demo-"))
    say(f"Cocov demo in {workdir}")
    with Stack(workdir) as stack:
        sha = make_remote(stack.git_root, stack.org, REPO_NAME, HERE / "sample_project")
        say(f"- git remote {stack.git_root}/{stack.org}/{REPO_NAME}.git holds the sample project at {sha}")

        stack.start_fake_github()
        remote = stack.github_control("POST", "/_fake/repos", {"name": REPO_NAME, "description": "A tiny calculator"})
        stack.github_control("POST", "/_fake/commits", {"repo": REPO_NAME, "sha": sha, "message": "Add the calculator",
                                                       "author_name": "Ada Lovelace", "author_email": "ada@example.com"})
        say(f"- fake GitHub API at {stack.github_url} knows {stack.org}/{REPO_NAME} (id {remote['id']})")

        stack.manage("migrate", "--noinput")
        say("- migrated the SQLite database (cache table included)")
        registered = stack.manage("add_repository", REPO_NAME).stdout.strip()
        upload_token = re.search(r"crt_\S+", registered).group()
        say("- " + registered.replace("\n", "\n  "))
        say("- " + stack.manage("add_secret", "SEMGREP_TOKEN", stdin="demo-semgrep-token\n").stdout.strip())

        stack.start_web()
        stack.start_cluster()
        say(f"- gunicorn at {stack.web_url}, manage.py qcluster running")

        project = workdir / "ci-checkout"
        shutil.copytree(HERE / "sample_project", project)
        report = run_coverage_py(project, "xml")
        status = stack.upload_report(upload_token, sha, report, content_type="application/xml")
        say(f"- CI ran the tests under coverage.py and uploaded its Cobertura XML ({len(report)} bytes) "
            f"before GitHub's push webhook: HTTP {status}, held until the commit is known")

        template = json.loads((HERE / "push.branch.json").read_text())
        payload = push_payload(template, remote["id"], REPO_NAME, stack.org, sha, "Add the calculator",
                               "Ada Lovelace", "ada@example.com")
        sent_at = time.time()
        status, answer = stack.send_webhook("push", payload)
        say(f"- sent a signed push webhook: HTTP {status} {answer}")

        def handed_over():
            described = stack.describe_commit(REPO_NAME, sha)
            check_set = described and described["check_set"]
            return described if check_set and check_set["status"] not in ("waiting",) and (
                described["worker_jobs"] or check_set["status"] != "queued") else None

        described = wait_for(handed_over, 60, "ProcessCommitJob")
        coverage_reported = lambda: any(s["context"] == "cocov/coverage" for s in stack.github_statuses(REPO_NAME, sha))
        wait_for(coverage_reported, 60, "ProcessCoverageJob")
        wait_for(lambda: stack.describe_commit(REPO_NAME, sha)["commits_size"], 30, "ComputeRepositoryCommitsSizeJob")
        described = stack.describe_commit(REPO_NAME, sha)

        say()
        say(f"Commit {described['sha']} by {described['author']}")
        say(f"  clone: {described['clone_status']}, {described['clone_size']} bytes "
            f"(repository commits_size {described['commits_size']})")
        check_set = described["check_set"]
        say(f"  check set: {check_set['status']} (job {check_set['job_id']})")
        for check in check_set["checks"]:
            say(f"    check {check['plugin_name']}: {check['status']}")
        for job in described["worker_jobs"]:
            queued = datetime.fromisoformat(job["queued_at"]).timestamp()
            say(f"  job handed to the Worker (outbox cocov:checks), {queued - sent_at:.2f}s after the webhook:")
            say("    " + json.dumps(job["payload"], indent=2).replace("\n", "\n    "))
        coverage = described["coverage"]
        say(f"  coverage ({coverage['format']}): {coverage['status']}, {coverage['percent_covered']}% "
            f"({coverage['lines_covered']}/{coverage['lines_total']} lines, minimum {coverage['minimum_coverage']}%)")
        for covered_file in coverage["files"]:
            say(f"    {covered_file['file']}: {covered_file['lines_covered']}/{covered_file['lines_total']} lines")
        say("  statuses GitHub received:")
        for posted in stack.github_statuses(REPO_NAME, sha):
            say(f"    {posted['context']}: {posted['state']} \"{posted['description']}\" → {posted['target_url']}")
        ok = check_set["status"] == "queued" and described["worker_jobs"] and coverage["status"] == "completed"
    say()
    say("Demo finished: the push went through." if ok else "Demo FAILED: see the logs in " + str(workdir))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
