"""``python -m fakegithub``: run the fake as a process (e.g. for a demo).

Prints the base URL on stdout once listening and writes it to ``--ready-file`` (atomically).
SIGTERM/SIGINT stop it cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .server import FakeGitHub


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m fakegithub", description="Fake GitHub REST API server.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    p.add_argument("--org", default="cocov-test")
    p.add_argument("--token", action="append", default=[], help="accepted static token (repeatable)")
    p.add_argument("--state", help="JSON file to seed from (see FakeGitHub.load_state)")
    p.add_argument("--ready-file", help="write the base URL here once listening")
    p.add_argument("--app-id", help="GitHub App id accepted as JWT 'iss'")
    p.add_argument("--app-public-key", help="PEM file with the App's RSA public key")
    p.add_argument("--installation-id", type=int)
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--per-page-default", type=int, default=30)
    p.add_argument("--web-url", default="https://github.com")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    pem = None
    if args.app_public_key:
        with open(args.app_public_key) as f:
            pem = f.read()
    fake = FakeGitHub(org=args.org, tokens=tuple(args.token) or ("ghs_testtoken",), app_id=args.app_id,
                      app_public_key_pem=pem, installation_id=args.installation_id,
                      token_lifetime=args.token_lifetime, per_page_default=args.per_page_default,
                      host=args.host, port=args.port, web_url=args.web_url, verbose=args.verbose)
    if args.state:
        with open(args.state) as f:
            fake.load_state(json.load(f))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    fake.start()
    if args.ready_file:
        tmp = f"{args.ready_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(fake.url + "\n")
        os.replace(tmp, args.ready_file)
    print(fake.url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
