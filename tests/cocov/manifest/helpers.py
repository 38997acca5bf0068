"""Shared helpers and sample manifests for the cocov.manifest tests."""

import re
import textwrap

import pytest
import yaml

from cocov.manifest import ManifestError, parse_manifest


INVALID_DATA = ("manifest_invalid_or_missing_data", "Failure: Invalid or Missing Data in Manifest")
ROOT = ("manifest_root_must_be_mapping", "Invalid manifest: Root should be a mapping")


def yml(text):
    return textwrap.dedent(text).lstrip("\n")


def header(body=""):
    return 'version: "0.1.alpha"\n' + yml(body)


def parse_error(text):
    with pytest.raises(ManifestError) as info:
        parse_manifest(text)
    return info.value


# =============================================================== hardening rules

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HEX64 = "0123456789abcdef" * 4


def dump(document):
    """Manifest text for a Python structure (``version`` added)."""
    return yaml.safe_dump({"version": "0.1.alpha", **document}, sort_keys=False, allow_unicode=True)


def one_check(**fields):
    return dump({"checks": [{"plugin": "cocov/a", **fields}]})


def assert_safe_extra(error):
    extra = error.extra
    assert extra is None or (not UNSAFE.search(extra) and len(extra) <= 400), extra
    if extra is not None:
        extra.encode("utf-8")  # no lone surrogates
    str(error).encode("utf-8")


def assert_invalid(text, extra):
    error = parse_error(text)
    assert (error.kind, error.description, error.extra) == (*INVALID_DATA, extra)
    assert_safe_extra(error)
    return error


# Was `@sha256:abc`: a digest must now be sha256 with 64 hex digits.
DIGEST = "0123456789abcdef" * 4
FULL_MANIFEST = header(
    f"""
    coverage:
      min_percent: 80
    exclude_paths:
      - vendor/
      - "**/*.min.js"
      - docs/*.md
    defaults:
      checks:
        envs:
          LEVEL: warning
          STRICT: true
          RETRIES: 3
          RATIO: 0.5
        mounts:
          - source: secrets:GIT_CONFIG
            destination: /root/.gitconfig
          - source: secrets:NPMRC
            destination: /root/.npmrc
    checks:
      - plugin: cocov/rubocop:v0.1
        envs:
          LEVEL: error
          DEBUG: false
        mounts:
          - source: secrets:MY_NPMRC
            destination: /root/.npmrc
      - plugin: ghcr.io:443/org/brakeman@sha256:{DIGEST}
      - plugin: localhost:5000/eslint:1
        mounts:
    """
)
