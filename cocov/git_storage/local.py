"""Storage of commits on the local filesystem.

For a repository named ``name`` and a commit ``sha``, with ``h`` the SHA-1 hex
digest of ``name`` (repository names never form paths)::

    <base>/<h>/<sha>/                 the tree of the commit (no .git)
    <base>/<h>/<sha>.tar              a tar of that tree, entries under ``<sha>/``
    <base>/<h>/<sha>.tar.zst          that tar compressed with zstd
    <base>/<h>/<sha>.tar.zst.shasum   ``sha256:<hex digest of the .tar.zst>``
    <base>/<h>/<sha>.lock             lock file serialising work on that commit

The ``.shasum`` file is written last (atomically), so its presence means the
output is complete.  Work happens in a temporary directory under ``<base>/<h>/``
and results are moved into place; any failure removes the partial output and
raises :class:`CommitFetchError`.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import git

from cocov.git_storage.archive import DEFAULT_ZSTD_LEVEL, compress, extract_tree, write_tar
from cocov.git_storage.errors import CommitFetchError, normalize_sha, scrub_credentials
from cocov.git_storage.fetching import DEFAULT_FETCH_TIMEOUT, _git_reason, _RAW_TREE_ATTRIBUTES, fetch, fetch_args
from cocov.git_storage.model import StoredCommit
from cocov.git_storage.urls import _url_password

# The package's name, as before it was split into modules, so log lines keep their logger name.
logger = logging.getLogger("cocov.git_storage")


def _remove_path(path: Path) -> None:
    """Remove a file, symlink or directory tree if present."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path, ignore_errors=False)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class LocalGitStorage:
    """Stores commits on the local filesystem under ``base_path``."""

    mode = "local"

    def __init__(
        self,
        base_path: Path,
        *,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        zstd_level: int = DEFAULT_ZSTD_LEVEL,
    ):
        self.base_path = Path(base_path)
        self.fetch_timeout = fetch_timeout
        self.zstd_level = zstd_level

    # ----------------------------------------------------------------- paths

    def repository_dir(self, repo_name: str) -> Path:
        if not isinstance(repo_name, str) or not repo_name:
            raise ValueError("Repository name must be a non-empty string")
        return self.base_path / hashlib.sha1(repo_name.encode("utf-8")).hexdigest()

    def commit_path(self, repo_name: str, sha: str) -> Path:
        sha = normalize_sha(sha)
        return self.repository_dir(repo_name) / sha

    def _paths(self, repo_name: str, sha: str) -> dict[str, Path]:
        sha = normalize_sha(sha)
        repo_dir = self.repository_dir(repo_name)
        return {
            "tree": repo_dir / sha,
            "tar": repo_dir / f"{sha}.tar",
            "zst": repo_dir / f"{sha}.tar.zst",
            "shasum": repo_dir / f"{sha}.tar.zst.shasum",
            "lock": repo_dir / f"{sha}.lock",
        }

    # ----------------------------------------------------------------- queries

    def is_stored(self, repo_name: str, sha: str) -> bool:
        p = self._paths(repo_name, sha)
        try:
            return (
                stat.S_ISREG(p["shasum"].lstat().st_mode)
                and stat.S_ISDIR(p["tree"].lstat().st_mode)
                and stat.S_ISREG(p["tar"].lstat().st_mode)
                and stat.S_ISREG(p["zst"].lstat().st_mode)
            )
        except FileNotFoundError:
            return False

    def stored_commit(self, repo_name: str, sha: str) -> StoredCommit:
        """The :class:`StoredCommit` of a completely stored commit (FileNotFoundError otherwise)."""
        sha = normalize_sha(sha)
        if not self.is_stored(repo_name, sha):
            raise FileNotFoundError(f"Commit {sha} of {repo_name} is not stored")
        return StoredCommit(path=self.commit_path(repo_name, sha), size=self.stored_size(repo_name, sha))

    def stored_size(self, repo_name: str, sha: str) -> int:
        """Bytes of whatever output exists for the commit: tree files (regular
        files, plus symlinks counted as the length of their target, i.e. the
        size of their blob), the tar, the .tar.zst and the shasum file."""
        p = self._paths(repo_name, sha)
        total = 0
        tree = p["tree"]
        if tree.is_dir() and not tree.is_symlink():
            for root, dirs, files in os.walk(tree):
                for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                    st = os.lstat(os.path.join(root, name))
                    if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                        total += st.st_size
        for key in ("tar", "zst", "shasum"):
            try:
                total += p[key].lstat().st_size
            except FileNotFoundError:
                pass
        return total

    # ----------------------------------------------------------------- locking

    @contextmanager
    def _locked(self, lock_path: Path) -> Iterator[Callable[[], bool]]:
        """Exclusive flock on ``lock_path`` (threads and processes).

        The lock file may be unlinked by its holder (remove_commit, failed
        store), so after acquiring it we check the path still names the file we
        locked, and retry otherwise.  Yields a ``still_held()`` callable telling
        whether the path still names our lock (remove_repository may have
        removed it meanwhile).
        """
        while True:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except FileNotFoundError:  # directory removed meanwhile
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if self._names_fd(lock_path, fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # stale lock file: try again
        try:
            yield lambda: self._names_fd(lock_path, fd)
        finally:
            os.close(fd)  # releases the flock

    @staticmethod
    def _names_fd(path: Path, fd: int) -> bool:
        try:
            current = os.stat(path)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)

    # ----------------------------------------------------------------- removal

    def _remove_outputs(self, p: dict[str, Path], sha: str) -> None:
        # shasum first: output must stop looking complete before anything else goes.
        for key in ("shasum", "zst", "tar", "tree"):
            _remove_path(p[key])
        repo_dir = p["tree"].parent
        if repo_dir.is_dir():
            for leftover in repo_dir.glob(f".tmp-{sha}-*"):
                _remove_path(leftover)
            for leftover in repo_dir.glob(f".{sha}.tar.zst.shasum.*"):
                _remove_path(leftover)

    def remove_commit(self, repo_name: str, sha: str) -> None:
        sha = normalize_sha(sha)
        p = self._paths(repo_name, sha)
        if not p["tree"].parent.is_dir():
            return
        with self._locked(p["lock"]):
            self._remove_outputs(p, sha)
            _remove_path(p["lock"])

    def remove_repository(self, repo_name: str) -> None:
        """Remove everything stored for a repository.  A store running
        concurrently for that repository will fail (and clean up after itself)."""
        repo_dir = self.repository_dir(repo_name)
        if repo_dir.is_dir():
            shutil.rmtree(repo_dir, ignore_errors=True)
            _remove_path(repo_dir)  # raises if something could not be removed

    # ----------------------------------------------------------------- storing

    def store_commit(self, repo_name: str, sha: str, clone_url: str, token: str | None = None) -> StoredCommit:
        """Fetch ``sha`` of ``clone_url`` (depth 1) and store it; no-op if already stored.

        ``token``, when given, is scrubbed from error messages; and if
        ``clone_url`` is http(s) without credentials of its own, it is sent as
        ``Authorization: Basic x-access-token:TOKEN`` (via ``http.extraHeader``
        in the environment, so it never shows on a command line).
        """
        sha = normalize_sha(sha)
        p = self._paths(repo_name, sha)
        if self.is_stored(repo_name, sha):
            return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))

        secrets = (token, _url_password(clone_url))
        with self._locked(p["lock"]) as still_held:
            if self.is_stored(repo_name, sha):
                return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))
            self._remove_outputs(p, sha)  # leftovers from a crash
            try:
                self._store_locked(repo_name, sha, p, clone_url, token, secrets)
            except BaseException as exc:
                try:
                    if still_held():  # else the outputs are no longer ours to remove
                        self._remove_outputs(p, sha)
                        _remove_path(p["lock"])  # we still hold it; waiters will retry
                except OSError:
                    logger.exception("Could not clean up after failing to store %s of %s", sha, repo_name)
                if isinstance(exc, CommitFetchError):
                    raise
                if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit...
                    raise
                message = scrub_credentials(
                    f"Could not store commit {sha} of {repo_name}: {_git_reason(exc)}", secrets
                )
                raise CommitFetchError(message) from None
        return StoredCommit(path=p["tree"], size=self.stored_size(repo_name, sha))

    def _store_locked(self, repo_name, sha, p, clone_url, token, secrets) -> None:
        repo_dir = p["tree"].parent
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{sha}-", dir=repo_dir))
        try:
            git_dir = work / "repo"
            init_kwargs = {"object_format": "sha256"} if len(sha) == 64 else {}
            repo = git.Repo.init(git_dir, bare=True, **init_kwargs)
            try:
                (git_dir / "info").mkdir(exist_ok=True)
                (git_dir / "info" / "attributes").write_text(_RAW_TREE_ATTRIBUTES)
                logger.info("Fetching commit %s of %s from %s", sha, repo_name, scrub_credentials(clone_url, secrets))
                try:
                    self._fetch(repo, sha, clone_url, token)
                    kind = repo.git.cat_file("-t", sha)
                except git.GitCommandError as exc:
                    raise CommitFetchError(
                        scrub_credentials(f"Could not fetch commit {sha} of {repo_name}: {_git_reason(exc)}", secrets)
                    ) from None
                if kind != "commit":
                    raise CommitFetchError(f"Could not fetch commit {sha} of {repo_name}: object is a {kind}, not a commit")
                commit_time = int(repo.git.show("-s", "--format=%ct", sha, kill_after_timeout=self.fetch_timeout))
                archive = work / "archive.tar"
                with open(archive, "wb") as fh:
                    repo.git.archive("--format=tar", sha, output_stream=fh, kill_after_timeout=self.fetch_timeout)
            finally:
                repo.close()
            _remove_path(git_dir)

            tree = work / sha
            entries = extract_tree(archive, tree)
            archive.unlink()
            tar_path = work / f"{sha}.tar"
            write_tar(tar_path, tree, sha, entries, commit_time)
            zst_path = work / f"{sha}.tar.zst"
            digest = self._compress(tar_path, zst_path)

            # Move into place; the shasum file last, atomically.
            os.replace(tree, p["tree"])
            os.replace(tar_path, p["tar"])
            os.replace(zst_path, p["zst"])
            _fsync_dir(repo_dir)
            fd, tmp_shasum = tempfile.mkstemp(prefix=f".{sha}.tar.zst.shasum.", dir=repo_dir)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(f"sha256:{digest}")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp_shasum, 0o644)
                os.replace(tmp_shasum, p["shasum"])
            except BaseException:
                _remove_path(Path(tmp_shasum))
                raise
            _fsync_dir(repo_dir)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # ----------------------------------------------------------------- fetch / compress (tests override these)

    def _fetch(self, repo: git.Repo, sha: str, clone_url: str, token: str | None) -> None:
        """Fetch exactly ``sha`` at depth 1 into ``repo`` (hook for tests)."""
        fetch(repo, sha, clone_url, token, timeout=self.fetch_timeout)

    fetch_args = staticmethod(fetch_args)

    def _compress(self, tar_path: Path, zst_path: Path) -> str:
        """Stream-compress the tar to zstd, hashing the output; return its sha256 hex."""
        return compress(tar_path, zst_path, self.zstd_level)
