"""Tests for cocov.manifest.schema: parse_manifest, load_manifest and the section parsers."""

import os

import pytest

from cocov.manifest import (
    MAX_MANIFEST_BYTES,
    CheckSpec,
    Manifest,
    ManifestError,
    Mount,
    load_manifest,
    parse_manifest,
)
from tests.cocov.manifest.helpers import DIGEST, FULL_MANIFEST, INVALID_DATA, ROOT, header, parse_error


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
