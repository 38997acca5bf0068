"""Tests for cocov.manifest.schema: the limits an untrusted manifest is held to."""

import pytest

from cocov.manifest import Mount, parse_manifest
from tests.cocov.manifest.helpers import assert_invalid, dump, header, one_check, parse_error


# ------------------------------------------------------------- size limits


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
