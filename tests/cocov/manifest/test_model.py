"""Tests for cocov.manifest.model: the Manifest value object and its secrets."""

import pytest

from cocov.manifest import ManifestError, parse_manifest
from tests.cocov.manifest.helpers import header


# ---------------------------------------------------------------------- secrets


SECRETS_MANIFEST = header(
    """
    defaults:
      checks:
        mounts:
          - {source: "secrets:SHARED", destination: /shared}
          - {source: "secrets:OVERRIDDEN", destination: /o}
    checks:
      - plugin: cocov/a
        mounts:
          - {source: "secrets:FIRST", destination: /o}
      - plugin: cocov/b
        mounts:
          - {source: "secrets:SECOND", destination: /b}
    """
)


def test_secret_names():
    assert parse_manifest(SECRETS_MANIFEST).secret_names() == {"FIRST", "SHARED", "SECOND", "OVERRIDDEN"}


@pytest.mark.parametrize(
    ("known", "missing"),
    [
        ({"FIRST", "SHARED", "SECOND", "OVERRIDDEN"}, None),
        ({"FIRST", "SHARED", "SECOND", "OVERRIDDEN", "EXTRA"}, None),
        (set(), "FIRST"),
        ({"FIRST"}, "SHARED"),
        ({"FIRST", "SHARED", "OVERRIDDEN"}, "SECOND"),
        (["FIRST", "SHARED", "SECOND"], "OVERRIDDEN"),  # any iterable works
    ],
)
def test_require_secrets(known, missing):
    manifest = parse_manifest(SECRETS_MANIFEST)
    if missing is None:
        assert manifest.require_secrets(known) is None
        return
    with pytest.raises(ManifestError) as info:
        manifest.require_secrets(known)
    error = info.value
    assert (error.kind, error.description, error.extra) == (
        "manifest_unknown_secret",
        "Failure: Unknown secret",
        f"Unknown secret `{missing}'",
    )


def test_unused_default_secret_is_not_referenced_without_checks():
    manifest = parse_manifest(header("defaults: {checks: {mounts: [{source: 'secrets:X', destination: /x}]}}\n"))
    assert manifest.secret_names() == set()
    manifest.require_secrets(set())
