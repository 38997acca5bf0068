"""Tests for cocov.manifest.globs: exclude_paths matching."""

import random
import re
import time
from functools import lru_cache

import pytest

from cocov.manifest import Manifest, globs, parse_manifest
from tests.cocov.manifest.helpers import FULL_MANIFEST, dump, header


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


# ------------------------------------------------------------ 6. exclude paths


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
    glob = globs._compile_glob(pattern)
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
            assert globs._normalize_relative_path(raw) == path
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
    assert result is globs._compile_glob(pattern)._nfa_matches(path)
    # The reference translation would take seconds to minutes here (92 s for the first
    # pattern); check it on a prefix short enough for it.
    assert manifest.is_path_excluded(path[-12:]) is (_reference_glob(pattern).fullmatch(path[-12:]) is not None)


def test_the_reproduction_takes_well_under_50ms(capsys):
    manifest = parse_manifest(header('exclude_paths: ["*a*a*a*a*a*a*a*a*a*a*a*a"]\n'))
    globs._compile_glob.cache_clear()
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
    glob = globs._compile_glob(pattern)
    started = time.perf_counter()
    result = glob.matches(path)
    assert time.perf_counter() - started < 0.5
    assert result is glob._nfa_matches(path)


def test_long_hostile_path_uses_the_nfa():
    glob = globs._compile_glob("**?*" + "a" * 60 + "b**")
    path = "a" * 4000
    assert glob._regex_cost(len(path), 1, len(path)) > globs._REGEX_COST_LIMIT
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
