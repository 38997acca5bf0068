"""Tests for cocov.git_storage, against real git repositories built in tmp_path."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import multiprocessing
import os
import stat
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import git
import pytest
import zstandard

from cocov.git_storage import (
    CommitFetchError,
    InvalidSha,
    LocalGitStorage,
    StoredCommit,
    clone_url_for,
    scrub_credentials,
)

REPO_NAME = "cocov-test/sample"


# --------------------------------------------------------------------------- helpers


def _configure(repo: git.Repo) -> None:
    with repo.config_writer() as cw:
        cw.set_value("user", "name", "Test")
        cw.set_value("user", "email", "test@example.com")
        cw.set_value("commit", "gpgsign", "false")
        cw.set_value("core", "autocrlf", "false")


def _commit_all(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    repo.git.commit("-m", message)
    return repo.git.rev_parse("HEAD")


def _make_source_repo(path: Path, object_format: str | None = None) -> tuple[git.Repo, str, str]:
    kwargs = {"object_format": object_format} if object_format else {}
    repo = git.Repo.init(path, **kwargs)
    _configure(repo)
    (path / "README.md").write_text("# Sample\n")
    (path / ".cocov.yaml").write_text("version: '0.1.alpha'\nchecks:\n  - plugin: cocov/rubocop:v0.1\n")
    (path / "src" / "pkg").mkdir(parents=True)
    (path / "src" / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (path / "src" / "pkg" / "empty.txt").write_bytes(b"")
    (path / "src" / "data.bin").write_bytes(bytes(range(256)) * 40)
    (path / "bin").mkdir()
    (path / "bin" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(path / "bin" / "run.sh", 0o755)
    os.symlink("README.md", path / "link-to-readme")
    os.symlink("src/pkg", path / "link-to-dir")
    os.symlink("../../outside/of/tree", path / "dangling-link")
    (path / "café.txt").write_text("unicode name\n")
    # Attributes that would alter an export/checkout: the stored tree must
    # still equal the commit's blobs.
    (path / ".gitattributes").write_text("ignored.txt export-ignore\ncrlf.txt text eol=crlf\nsubst.txt export-subst\n")
    (path / "ignored.txt").write_text("still part of the commit\n")
    (path / "crlf.txt").write_text("line one\nline two\n")
    (path / "subst.txt").write_text("$Format:%H$\n")
    first = _commit_all(repo, "first")
    (path / "README.md").write_text("# Sample, changed\n")
    (path / "second-only.txt").write_text("added later\n")
    second = _commit_all(repo, "second")
    return repo, first, second


@pytest.fixture
def source(tmp_path):
    repo, first, second = _make_source_repo(tmp_path / "src-repo")
    yield repo, first, second
    repo.close()


@pytest.fixture
def base(tmp_path):
    return tmp_path / "storage"


def _url(repo: git.Repo) -> str:
    return Path(repo.working_tree_dir).as_uri()


class CountingStorage(LocalGitStorage):
    def __init__(self, *args, delay: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fetches = 0
        self.delay = delay
        self._count_lock = threading.Lock()

    def _fetch(self, repo, sha, clone_url, token):
        with self._count_lock:
            self.fetches += 1
        if self.delay:
            time.sleep(self.delay)
        super()._fetch(repo, sha, clone_url, token)


class FileCountingStorage(LocalGitStorage):
    """Counts fetches in a file, across processes."""

    counter: Path

    def _fetch(self, repo, sha, clone_url, token):
        with open(self.counter, "a") as fh:
            fh.write("fetch\n")
        time.sleep(0.3)
        super()._fetch(repo, sha, clone_url, token)


def _expected_tree(repo: git.Repo, sha: str) -> dict:
    """rel path -> ("dir",) | ("file", bytes, executable) | ("symlink", target) from the commit."""
    out = {}
    for item in repo.commit(sha).tree.traverse():
        if item.type == "tree":
            out[item.path] = ("dir",)
        elif item.type == "blob":
            data = item.data_stream.read()
            if item.mode == 0o120000:
                out[item.path] = ("symlink", os.fsdecode(data))
            else:
                out[item.path] = ("file", data, bool(item.mode & 0o111))
    return out


def _disk_tree(root: Path) -> dict:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            st = full.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                assert stat.S_ISREG(st.st_mode), rel
                out[rel] = ("file", full.read_bytes(), bool(st.st_mode & 0o100))
    return out


def _tar_tree(data: bytes, sha: str) -> tuple[dict, list[str], list[tarfile.TarInfo]]:
    out = {}
    names = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        members = tf.getmembers()
        for m in members:
            names.append(m.name)
            if m.name == sha:
                assert m.isdir()
                continue
            assert m.name.startswith(sha + "/"), m.name
            rel = m.name[len(sha) + 1 :]
            if m.isdir():
                out[rel] = ("dir",)
            elif m.issym():
                out[rel] = ("symlink", m.linkname)
            else:
                assert m.isreg(), m.name
                out[rel] = ("file", tf.extractfile(m).read(), bool(m.mode & 0o100))
    return out, names, members


def _tree_bytes(root: Path) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                total += st.st_size
    return total


# --------------------------------------------------------------------------- layout


def test_store_commit_layout(source, base):
    repo, first, second = source
    storage = LocalGitStorage(base)
    assert storage.mode == "local"
    assert not storage.is_stored(REPO_NAME, first)

    stored = storage.store_commit(REPO_NAME, first, _url(repo))

    h = hashlib.sha1(REPO_NAME.encode()).hexdigest()
    repo_dir = base / h
    assert storage.repository_dir(REPO_NAME) == repo_dir
    assert isinstance(stored, StoredCommit)
    assert stored.path == repo_dir / first == storage.commit_path(REPO_NAME, first)
    assert storage.is_stored(REPO_NAME, first)
    assert not storage.is_stored(REPO_NAME, second)

    # Exactly the expected entries (the lock file may remain).
    assert set(os.listdir(repo_dir)) - {f"{first}.lock"} == {
        first,
        f"{first}.tar",
        f"{first}.tar.zst",
        f"{first}.tar.zst.shasum",
    }

    # The tree is the first commit's tree, byte for byte, exec bits and symlinks.
    expected = _expected_tree(repo, first)
    on_disk = _disk_tree(stored.path)
    assert on_disk == expected
    assert "second-only.txt" not in on_disk
    assert on_disk["README.md"] == ("file", b"# Sample\n", False)
    assert on_disk["bin/run.sh"][2] is True
    assert on_disk["src/pkg/mod.py"][2] is False
    assert on_disk["link-to-readme"] == ("symlink", "README.md")
    assert on_disk["link-to-dir"] == ("symlink", "src/pkg")
    assert on_disk["dangling-link"] == ("symlink", "../../outside/of/tree")
    assert (stored.path / "link-to-readme").is_symlink()
    assert on_disk[".cocov.yaml"][1].startswith(b"version:")
    assert on_disk["café.txt"] == ("file", b"unicode name\n", False)
    # .gitattributes had no effect: raw blobs.
    assert on_disk["ignored.txt"] == ("file", b"still part of the commit\n", False)
    assert on_disk["crlf.txt"] == ("file", b"line one\nline two\n", False)
    assert on_disk["subst.txt"] == ("file", b"$Format:%H$\n", False)
    # No .git anywhere.
    assert not any(".git" in Path(rel).parts for rel in on_disk)

    # The tar: <sha>/... entries, sorted, same content as the tree.
    tar_bytes = (repo_dir / f"{first}.tar").read_bytes()
    tar_tree, names, members = _tar_tree(tar_bytes, first)
    assert names[0] == first
    assert names == sorted(names, key=lambda n: n.split("/"))
    assert tar_tree == on_disk
    commit_time = repo.commit(first).committed_date
    assert all(m.mtime == commit_time for m in members)
    assert all(m.uid == 0 and m.gid == 0 for m in members)

    # The .tar.zst decompresses to the .tar.
    zst_bytes = (repo_dir / f"{first}.tar.zst").read_bytes()
    assert zstandard.ZstdDecompressor().decompressobj().decompress(zst_bytes) == tar_bytes

    # The shasum file.
    shasum = (repo_dir / f"{first}.tar.zst.shasum").read_bytes()
    assert shasum == b"sha256:" + hashlib.sha256(zst_bytes).hexdigest().encode()

    # Size = tree bytes + tar + zst + shasum; tree bytes = sum of blob sizes.
    blob_bytes = sum(len(v[1]) for v in expected.values() if v[0] != "dir")
    assert _tree_bytes(stored.path) == blob_bytes
    total = blob_bytes + len(tar_bytes) + len(zst_bytes) + len(shasum)
    assert stored.size == total
    assert storage.stored_size(REPO_NAME, first) == total


def test_uppercase_sha_is_normalized(source, base):
    repo, first, _ = source
    storage = LocalGitStorage(base)
    stored = storage.store_commit(REPO_NAME, first.upper(), _url(repo))
    assert stored.path.name == first
    assert storage.is_stored(REPO_NAME, first.upper())
    assert storage.commit_path(REPO_NAME, first.upper()) == storage.commit_path(REPO_NAME, first)


def test_plain_local_path_remote(source, base):
    repo, first, _ = source
    storage = LocalGitStorage(base)
    stored = storage.store_commit(REPO_NAME, first, repo.working_tree_dir)
    assert _disk_tree(stored.path) == _expected_tree(repo, first)


def test_bare_remote(source, base, tmp_path):
    repo, first, _ = source
    bare = git.Repo.clone_from(repo.working_tree_dir, tmp_path / "bare.git", bare=True)
    try:
        storage = LocalGitStorage(base)
        stored = storage.store_commit(REPO_NAME, first, (tmp_path / "bare.git").as_uri())
        assert _disk_tree(stored.path) == _expected_tree(repo, first)
    finally:
        bare.close()


def test_sha256_repository(tmp_path, base):
    probe = subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", str(tmp_path / "probe")], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("git without sha256 object format support")
    path = tmp_path / "src256"
    repo = git.Repo.init(path, object_format="sha256")
    try:
        _configure(repo)
        (path / "a.txt").write_text("hello\n")
        (path / "d").mkdir()
        (path / "d" / "x.sh").write_text("#!/bin/sh\n")
        os.chmod(path / "d" / "x.sh", 0o755)
        os.symlink("a.txt", path / "l")
        sha = _commit_all(repo, "one")
        assert len(sha) == 64
        storage = LocalGitStorage(base)
        stored = storage.store_commit(REPO_NAME, sha, path.as_uri())
        assert _disk_tree(stored.path) == {
            "a.txt": ("file", b"hello\n", False),
            "d": ("dir",),
            "d/x.sh": ("file", b"#!/bin/sh\n", True),
            "l": ("symlink", "a.txt"),
        }
        assert storage.is_stored(REPO_NAME, sha)
    finally:
        repo.close()


# --------------------------------------------------------------------------- idempotence / concurrency


def test_second_store_does_not_refetch(source, base):
    repo, first, _ = source
    storage = CountingStorage(base)
    stored1 = storage.store_commit(REPO_NAME, first, _url(repo))
    shasum = storage.repository_dir(REPO_NAME) / f"{first}.tar.zst.shasum"
    mtime = shasum.stat().st_mtime_ns
    stored2 = storage.store_commit(REPO_NAME, first, _url(repo))
    assert storage.fetches == 1
    assert stored1 == stored2
    assert shasum.stat().st_mtime_ns == mtime
    # Even another instance sees it as stored.
    other = CountingStorage(base)
    assert other.store_commit(REPO_NAME, first, "file:///does/not/exist") == stored1
    assert other.fetches == 0


def test_two_threads_fetch_once(source, base):
    repo, first, _ = source
    storage = CountingStorage(base, delay=0.3)
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        barrier.wait()
        try:
            results.append(storage.store_commit(REPO_NAME, first, _url(repo)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert storage.fetches == 1
    assert len(results) == 3 and len(set(results)) == 1
    assert storage.is_stored(REPO_NAME, first)
    assert _disk_tree(results[0].path) == _expected_tree(repo, first)


def _store_in_process(base, counter, url, sha, queue):
    storage = FileCountingStorage(base)
    storage.counter = counter
    try:
        stored = storage.store_commit(REPO_NAME, sha, url)
        queue.put(("ok", str(stored.path), stored.size))
    except Exception as exc:  # pragma: no cover - reported by the test
        queue.put(("error", repr(exc), 0))


def test_two_processes_fetch_once(source, base, tmp_path):
    repo, first, _ = source
    counter = tmp_path / "fetch-count"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_store_in_process, args=(base, counter, _url(repo), first, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert all(r[0] == "ok" for r in results), results
    assert len(set(results)) == 1
    assert counter.read_text().count("fetch") == 1
    storage = LocalGitStorage(base)
    assert storage.is_stored(REPO_NAME, first)
    assert results[0][2] == storage.stored_size(REPO_NAME, first)


def test_leftovers_from_a_crash_are_replaced(source, base):
    repo, first, _ = source
    storage = CountingStorage(base)
    repo_dir = storage.repository_dir(REPO_NAME)
    (repo_dir / first).mkdir(parents=True)
    (repo_dir / first / "junk").write_text("partial")
    (repo_dir / f"{first}.tar").write_bytes(b"partial")
    (repo_dir / f".tmp-{first}-crashed").mkdir()
    assert not storage.is_stored(REPO_NAME, first)
    stored = storage.store_commit(REPO_NAME, first, _url(repo))
    assert storage.fetches == 1
    assert _disk_tree(stored.path) == _expected_tree(repo, first)
    assert not (repo_dir / f".tmp-{first}-crashed").exists()


# --------------------------------------------------------------------------- failures


def _leftovers(storage: LocalGitStorage, sha: str) -> set[str]:
    repo_dir = storage.repository_dir(REPO_NAME)
    if not repo_dir.exists():
        return set()
    return set(os.listdir(repo_dir)) - {f"{sha}.lock"}


def test_missing_sha_raises_and_leaves_nothing(source, base):
    repo, _, _ = source
    storage = LocalGitStorage(base)
    missing = "1234567890abcdef" * 2 + "12345678"
    with pytest.raises(CommitFetchError) as info:
        storage.store_commit(REPO_NAME, missing, _url(repo))
    message = str(info.value)
    assert message.startswith(f"Could not fetch commit {missing} of {REPO_NAME}: ")
    assert "not our ref" in message or "unadvertised" in message or "couldn't find" in message.lower()
    assert _leftovers(storage, missing) == set()
    assert not storage.is_stored(REPO_NAME, missing)


def test_unreachable_remote_raises(base, tmp_path):
    storage = LocalGitStorage(base)
    sha = "a" * 40
    with pytest.raises(CommitFetchError) as info:
        storage.store_commit(REPO_NAME, sha, (tmp_path / "no-such-repo").as_uri())
    assert str(info.value).startswith(f"Could not fetch commit {sha} of {REPO_NAME}: ")
    assert _leftovers(storage, sha) == set()


def test_non_commit_object_raises(source, base):
    repo, first, _ = source
    tree_sha = repo.commit(first).tree.hexsha
    storage = LocalGitStorage(base)
    with pytest.raises(CommitFetchError):
        storage.store_commit(REPO_NAME, tree_sha, _url(repo))
    assert _leftovers(storage, tree_sha) == set()


def test_failure_after_fetch_cleans_up(source, base):
    repo, first, _ = source

    class Broken(LocalGitStorage):
        def _compress(self, tar_path, zst_path):
            zst_path.write_bytes(b"partial")
            raise OSError("No space left on device")

    storage = Broken(base)
    with pytest.raises(CommitFetchError) as info:
        storage.store_commit(REPO_NAME, first, _url(repo))
    assert "No space left on device" in str(info.value)
    assert _leftovers(storage, first) == set()
    assert not storage.is_stored(REPO_NAME, first)
    # A later, working attempt succeeds.
    assert LocalGitStorage(base).store_commit(REPO_NAME, first, _url(repo)).path.is_dir()


def test_token_in_url_is_scrubbed(base):
    storage = LocalGitStorage(base, fetch_timeout=30)
    sha = "b" * 40
    url = "http://x-access-token:SECRET@127.0.0.1:1/cocov-test/sample.git"
    for token in ("SECRET", None):
        with pytest.raises(CommitFetchError) as info:
            storage.store_commit(REPO_NAME, sha, url, token=token)
        message = str(info.value)
        assert "SECRET" not in message
        assert message.startswith(f"Could not fetch commit {sha} of {REPO_NAME}: ")
        assert "127.0.0.1" in message  # git's reason is kept
    assert _leftovers(storage, sha) == set()


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):  # noqa: N802
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_token_sent_as_header_and_scrubbed(base):
    _RecordingHandler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cocov-test/sample.git"
        storage = LocalGitStorage(base, fetch_timeout=30)
        with pytest.raises(CommitFetchError) as info:
            storage.store_commit(REPO_NAME, "c" * 40, url, token="SECRET-TOKEN")
    finally:
        server.shutdown()
        server.server_close()
    basic = base64.b64encode(b"x-access-token:SECRET-TOKEN").decode()
    assert _RecordingHandler.seen, "git did not reach the server"
    assert _RecordingHandler.seen[0][1] == f"Basic {basic}"
    assert "SECRET-TOKEN" not in str(info.value)
    assert basic not in str(info.value)


class _HangingHandler(http.server.BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self):  # noqa: N802
        type(self).release.wait(30)

    def log_message(self, *args):
        pass


def test_fetch_timeout(base):
    _HangingHandler.release = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HangingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    storage = LocalGitStorage(base, fetch_timeout=1)
    started = time.monotonic()
    try:
        url = f"http://x-access-token:SECRET@127.0.0.1:{server.server_address[1]}/o/r.git"
        with pytest.raises(CommitFetchError) as info:
            storage.store_commit(REPO_NAME, "e" * 40, url, token="SECRET")
    finally:
        _HangingHandler.release.set()
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 20
    assert "did not complete in 1 secs" in str(info.value)
    assert "SECRET" not in str(info.value)
    assert _leftovers(storage, "e" * 40) == set()


def test_scrub_credentials():
    cmd_error = (
        "Cmd('git') failed due to: exit code(128)\n  cmdline: git fetch "
        "https://x-access-token:ghs_abc@github.com/o/r.git deadbeef\n  stderr: 'fatal: bad token ghs_abc'"
    )
    scrubbed = scrub_credentials(cmd_error, ("ghs_abc",))
    assert "ghs_abc" not in scrubbed
    assert "https://***@github.com/o/r.git" in scrubbed
    assert scrub_credentials("see https://user:pass@host/x and ssh://git@host/y") == (
        "see https://***@host/x and ssh://***@host/y"
    )
    assert scrub_credentials("token t0k%2F in t0k/", ("t0k/",)) == "token *** in ***"
    assert scrub_credentials("nothing here", (None, "")) == "nothing here"


def test_git_command_error_is_scrubbed(base):
    """Even if git's stderr (or GitPython's command line) carried the URL, it is scrubbed."""

    class Leaky(LocalGitStorage):
        def _fetch(self, repo, sha, clone_url, token):
            raise git.GitCommandError(
                ["git", "fetch", clone_url, sha], 128, stderr=f"fatal: unable to access '{clone_url}': 403"
            )

    storage = Leaky(base)
    with pytest.raises(CommitFetchError) as info:
        storage.store_commit(REPO_NAME, "d" * 40, "https://x-access-token:TOPSECRET@github.com/o/r.git", "TOPSECRET")
    assert "TOPSECRET" not in str(info.value)
    assert "https://***@github.com/o/r.git" in str(info.value)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "sha",
    [
        "../../etc",
        "abc",
        "",
        "g" * 40,
        "z" * 64,
        "a" * 39,
        "a" * 41,
        "a" * 63,
        "a" * 65,
        "a" * 38 + "/.",
        " " + "a" * 40,
        "a" * 40 + "\n",
        "-" + "a" * 39,
        None,
        123,
    ],
)
def test_invalid_sha_rejected_before_any_filesystem_change(base, sha):
    storage = CountingStorage(base)
    calls = [
        lambda: storage.commit_path(REPO_NAME, sha),
        lambda: storage.is_stored(REPO_NAME, sha),
        lambda: storage.store_commit(REPO_NAME, sha, "file:///nowhere"),
        lambda: storage.stored_size(REPO_NAME, sha),
        lambda: storage.remove_commit(REPO_NAME, sha),
    ]
    for call in calls:
        with pytest.raises(InvalidSha):
            call()
    assert issubclass(InvalidSha, ValueError)
    assert not base.exists()
    assert storage.fetches == 0


def test_repository_names_are_hashed(base):
    storage = LocalGitStorage(base)
    for name in ("../../etc", "/abs/path", "org/repo", "a\x00b"):
        d = storage.repository_dir(name)
        assert d.parent == base
        assert d.name == hashlib.sha1(name.encode()).hexdigest()


# --------------------------------------------------------------------------- removal


def test_remove_commit_and_repository(source, base):
    repo, first, second = source
    storage = LocalGitStorage(base)
    storage.store_commit(REPO_NAME, first, _url(repo))
    storage.store_commit(REPO_NAME, second, _url(repo))
    storage.remove_commit(REPO_NAME, first)
    assert not storage.is_stored(REPO_NAME, first)
    assert storage.stored_size(REPO_NAME, first) == 0
    remaining = set(os.listdir(storage.repository_dir(REPO_NAME)))
    assert not any(n.startswith(first) for n in remaining)
    assert storage.is_stored(REPO_NAME, second)
    # Removing again is harmless.
    storage.remove_commit(REPO_NAME, first)
    storage.remove_repository(REPO_NAME)
    assert not storage.repository_dir(REPO_NAME).exists()
    storage.remove_repository(REPO_NAME)
    # And it can be stored again.
    assert storage.store_commit(REPO_NAME, first, _url(repo)).path.is_dir()


# --------------------------------------------------------------------------- clone_url_for


@pytest.mark.parametrize(
    "base_url, token, expected",
    [
        ("https://github.com", None, "https://github.com/cocov-test/sample.git"),
        ("https://github.com/", None, "https://github.com/cocov-test/sample.git"),
        ("https://github.com", "ghs_T0K", "https://x-access-token:ghs_T0K@github.com/cocov-test/sample.git"),
        ("https://github.com/", "ghs_T0K", "https://x-access-token:ghs_T0K@github.com/cocov-test/sample.git"),
        (
            "https://ghe.example.com:8443/git",
            "tok",
            "https://x-access-token:tok@ghe.example.com:8443/git/cocov-test/sample.git",
        ),
        ("http://127.0.0.1:3000", "tok", "http://x-access-token:tok@127.0.0.1:3000/cocov-test/sample.git"),
        ("https://old:creds@github.com", "tok", "https://x-access-token:tok@github.com/cocov-test/sample.git"),
        ("https://github.com", "a/b@c", "https://x-access-token:a%2Fb%40c@github.com/cocov-test/sample.git"),
        ("file:///srv/git", "tok", "file:///srv/git/cocov-test/sample.git"),
        ("file:///srv/git/", None, "file:///srv/git/cocov-test/sample.git"),
        ("/srv/git", "tok", "/srv/git/cocov-test/sample.git"),
        ("/srv/git/", None, "/srv/git/cocov-test/sample.git"),
    ],
)
def test_clone_url_for(base_url, token, expected):
    assert clone_url_for(base_url, "cocov-test", "sample", token) == expected


def test_clone_url_for_works_with_store(source, base, tmp_path):
    repo, first, _ = source
    # A "git server" directory holding org/repo.git
    server = tmp_path / "server"
    (server / "cocov-test").mkdir(parents=True)
    bare = git.Repo.clone_from(repo.working_tree_dir, server / "cocov-test" / "sample.git", bare=True)
    bare.close()
    storage = LocalGitStorage(base)
    url = clone_url_for(server.as_uri(), "cocov-test", "sample", token="ignored")
    stored = storage.store_commit(REPO_NAME, first, url, token="ignored")
    assert _disk_tree(stored.path) == _expected_tree(repo, first)


# --------------------------------------------------------------------------- stored_commit / factory


def test_stored_commit(source, base):
    repo, first, second = source
    storage = LocalGitStorage(base)
    with pytest.raises(FileNotFoundError):
        storage.stored_commit(REPO_NAME, first)
    stored = storage.store_commit(REPO_NAME, first, _url(repo))
    assert storage.stored_commit(REPO_NAME, first.upper()) == stored
    with pytest.raises(FileNotFoundError):
        storage.stored_commit(REPO_NAME, second)


def test_git_storage_factory(settings, tmp_path):
    from cocov.git_storage import git_storage

    settings.COCOV_GIT_SERVICE_STORAGE_MODE = "local"
    settings.COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH = tmp_path / "gs"
    storage = git_storage()
    assert isinstance(storage, LocalGitStorage)
    assert storage.base_path == tmp_path / "gs"


def test_submodule_entry_becomes_empty_directory(tmp_path, base):
    path = tmp_path / "with-submodule"
    repo = git.Repo.init(path)
    try:
        _configure(repo)
        (path / "a.txt").write_text("a\n")
        repo.git.add("a.txt")
        # A gitlink (mode 160000) pointing at a commit that is not in this repository.
        repo.git.update_index("--add", "--cacheinfo", f"160000,{'f' * 40},vendor/lib")
        repo.git.commit("-m", "with gitlink")
        sha = repo.git.rev_parse("HEAD")
        storage = LocalGitStorage(base)
        stored = storage.store_commit(REPO_NAME, sha, path.as_uri())
        assert _disk_tree(stored.path) == {"a.txt": ("file", b"a\n", False), "vendor": ("dir",), "vendor/lib": ("dir",)}
        tar_tree, _, _ = _tar_tree((stored.path.parent / f"{sha}.tar").read_bytes(), sha)
        assert tar_tree == _disk_tree(stored.path)
    finally:
        repo.close()
