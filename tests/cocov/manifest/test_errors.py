"""Tests for cocov.manifest.errors: ManifestError and safe, storable messages."""

import pytest

from cocov.manifest import ManifestError, errors, parse_manifest
from tests.cocov.manifest.helpers import UNSAFE, assert_safe_extra, header, one_check


def test_error_is_exception_with_readable_str():
    error = ManifestError("manifest_unknown_secret", "Failure: Unknown secret", "Unknown secret `X'")
    assert isinstance(error, Exception)
    assert str(error) == "Failure: Unknown secret (Unknown secret `X')"
    assert str(ManifestError("k", "Message")) == "Message"
    assert ManifestError("k", "Message").extra is None


# ---------------------------------------------------------------- safe messages


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
    text = errors._echo(value)
    assert not UNSAFE.search(text) and len(text) <= 101
    if echoed is not None:
        assert text == echoed


def test_error_extra_is_sanitized_even_when_built_directly():
    error = ManifestError("k", "Message", "bad\0\ud800\x1b")
    assert error.extra == "bad\\x00\ufffd\\x1b"
    assert str(error) == "Message (bad\\x00\ufffd\\x1b)"
    assert len(ManifestError("k", "M", "x" * 10_000).extra) == 2000
