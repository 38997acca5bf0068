"""Push-webhook throughput: signed pushes of distinct commits against gunicorn, measured from outside.

    .venv/bin/python -m benchmarks.webhook_throughput [--requests 1000] [--concurrency 8] [--workers 2]

Runs on the embedded default (SQLite, ORM broker) unless DATABASE_URL is set. Each request verifies the
signature, records the delivery, creates the commit, its check set and branch head, and queues
ProcessCommitJob; the cluster is not running, so only the webhook path is measured.
"""

import argparse
import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from demo.stack import Stack, push_payload

HERE = Path(__file__).resolve().parent.parent / "demo"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import os

    with Stack(tempfile.mkdtemp(prefix="cocov-bench-"), database_url=os.environ.get("DATABASE_URL")) as stack:
        stack.start_fake_github()
        remote = stack.github_control("POST", "/_fake/repos", {"name": "calculator"})
        stack.manage("migrate", "--noinput")
        stack.manage("add_repository", "calculator")
        stack.start_web(workers=args.workers)
        template = json.loads((HERE / "push.branch.json").read_text())

        def push(n):
            sha = uuid.uuid4().hex + f"{n:08x}"
            payload = push_payload(template, remote["id"], "calculator", stack.org, sha, f"Commit {n}",
                                   "Ada Lovelace", "ada@example.com", branch=f"branch-{n % 50}")
            started = time.perf_counter()
            status, _ = stack.send_webhook("push", payload)
            return status, time.perf_counter() - started

        for n in range(20):  # warm-up: connections, imports
            push(n)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(push, range(20, 20 + args.requests)))
        elapsed = time.perf_counter() - started

    statuses = {status for status, _ in results}
    latencies = sorted(latency for _, latency in results)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"push webhooks: {args.requests} requests, {args.concurrency} clients, gunicorn x{args.workers}, {database}")
    print(f"  answers: {sorted(statuses)}")
    print(f"  throughput: {args.requests / elapsed:.1f} requests/s")
    print(f"  latency: p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
