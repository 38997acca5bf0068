"""Turning the paths a report wrote into paths of the commit's tree.

Reports name files relative to a CI checkout (`/home/runner/work/app/app/lib/a.py`), relative to a
Cobertura <source>, with `./` or Windows separators, or as a package path shorter than the tree's
(JaCoCo's `com/acme/A.java`, Go's import paths). Each is matched against the files that really are in
the tree; a path that matches nothing, or matches several equally well, is left out.
"""

import os
import posixpath
from collections import defaultdict


MAX_PATH_LENGTH = 4096


class TreeIndex:
    def __init__(self, paths):
        self.paths = set(paths)
        self.by_name = defaultdict(list)
        for path in self.paths:
            self.by_name[posixpath.basename(path)].append(path)

    @classmethod
    def of_directory(cls, root):
        root = os.fspath(root)
        found = []
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            relative = os.path.relpath(directory, root)
            for name in filenames:
                found.append(name if relative == "." else f"{relative}/{name}".replace(os.sep, "/"))
        return cls(found)

    def resolve(self, report_path, sources=()):
        """The tree path `report_path` stands for, or None."""
        path = clean(report_path)
        if not path or len(path) > MAX_PATH_LENGTH:
            return None
        candidates = [path]
        if not path.startswith("/"):
            candidates += [clean(f"{source}/{path}") for source in sources]
        for candidate in candidates:
            relative = candidate.lstrip("/")
            if relative in self.paths:
                return relative
        best, best_score, tied = None, 0, False
        for candidate in candidates:
            parts = candidate.strip("/").split("/")
            for tree_path in self.by_name.get(parts[-1], ()):
                score = _shared_tail(parts, tree_path.split("/"))
                if score > best_score:
                    best, best_score, tied = tree_path, score, False
                elif score == best_score and tree_path != best:
                    tied = True
        return None if tied else best


def clean(path):
    path = path.strip().replace("\\", "/")
    if len(path) > 1 and path[1] == ":":  # C:/builds/app/lib/a.py
        path = path[2:]
    if path.startswith("file://"):
        path = path[len("file://") :]
    normalized = posixpath.normpath(path) if path else ""
    return "" if normalized in (".", "/") else normalized.removeprefix("./")


def _shared_tail(report_parts, tree_parts):
    """How many trailing components agree, when one path is a suffix of the other (else 0)."""
    shared = 0
    for a, b in zip(reversed(report_parts), reversed(tree_parts)):
        if a != b:
            break
        shared += 1
    return shared if shared == min(len(report_parts), len(tree_parts)) else 0
