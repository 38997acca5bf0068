"""Tests for cocov.manifest.loading: YAML loading and the alias expansion/size scan."""

import time

import pytest

from cocov.manifest import Mount, parse_manifest
from tests.cocov.manifest.helpers import INVALID_DATA, assert_invalid, assert_safe_extra, header, parse_error


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


def test_deep_paths_are_shortened_in_messages():
    error = parse_error(header("a: " + '{"k": [' * 150 + '"\\0"' + "]}" * 150 + "\n"))
    assert error.extra.startswith("a.k[0].k[0]") and "…" in error.extra
    assert error.extra.endswith(".k[0].k[0]: must not contain NUL characters")
    assert len(error.extra) < 400
