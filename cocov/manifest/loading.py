"""YAML loading, with the alias-expansion and size scan run before construction."""

from __future__ import annotations

import yaml

from cocov.manifest.errors import _SURROGATES, ROOT_MUST_BE_MAPPING, ManifestError, _echo, _invalid
from cocov.manifest.limits import ECHO_LIMIT, MAX_DOCUMENT_CHARS, MAX_DOCUMENT_NODES

_YAML_ERRORS = (yaml.YAMLError, RecursionError, UnicodeError, ValueError)


def _load_yaml(text: str | bytes) -> tuple[object, ManifestError | None]:
    """``yaml.safe_load``, with the composed node graph checked before anything is
    constructed from it (see :func:`_scan_document`). Returns the data and the first
    string problem (NUL or lone surrogate), which the caller reports once the root and
    version are known to be fine."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, None
        bad_text = _scan_document(node)
        return loader.construct_document(node), bad_text
    except _YAML_ERRORS:
        raise ManifestError.of(ROOT_MUST_BE_MAPPING) from None
    finally:
        if loader is not None:
            loader.dispose()


_EXIT = object()  # stack marker: a collection's children are all walked
_KEY = object()  # path step: "a key of the mapping at the parent path"


def _scan_document(root: yaml.Node) -> ManifestError | None:
    """Walk the YAML node graph the way construction would expand it (every reference
    of an alias again), stopping as soon as it holds more than MAX_DOCUMENT_NODES values
    or MAX_DOCUMENT_CHARS characters of scalar text, or refers to itself. The work is
    bounded by the limits, whatever the aliases multiply to.

    Raises those problems; returns (the first, in document order) string containing a
    NUL or a lone surrogate, as an error to raise, or None."""
    nodes, chars = 1, 0
    bad_text: ManifestError | None = None
    open_collections: set[int] = set()
    stack: list[tuple[object, object]] = [(root, None)]  # (node, path link)
    while stack:
        node, link = stack.pop()
        if node is _EXIT:
            open_collections.discard(link)  # type: ignore[arg-type]
            continue
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            chars += len(value)
            if chars > MAX_DOCUMENT_CHARS:
                raise _invalid(
                    _render_path(link)[0],
                    f"the document is too large once aliases are expanded "
                    f"(more than {MAX_DOCUMENT_CHARS} characters of text)",
                )
            if bad_text is None:
                if "\0" in value:
                    bad_text = _bad_text(link, value, "must not contain NUL characters")
                elif _SURROGATES.search(value):
                    bad_text = _bad_text(link, value, "must not contain lone surrogates (invalid Unicode)")
            continue
        if id(node) in open_collections:
            raise _invalid(_render_path(link)[0], "recursive aliases are not allowed")
        items = node.value
        nodes += 2 * len(items) if isinstance(node, yaml.MappingNode) else len(items)
        if nodes > MAX_DOCUMENT_NODES:
            raise _invalid(
                _render_path(link)[0],
                f"the document is too large once aliases are expanded (more than {MAX_DOCUMENT_NODES} values)",
            )
        open_collections.add(id(node))
        stack.append((_EXIT, id(node)))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(items):
                stack.append((value_node, (link, key_node)))
                stack.append((key_node, (link, _KEY)))
        else:
            for index in range(len(items) - 1, -1, -1):
                stack.append((items[index], (link, index)))
    return bad_text


def _bad_text(link: object, value: str, problem: str) -> ManifestError:
    path, is_key = _render_path(link)
    if is_key:
        return _invalid(path, f"key `{_echo(value)}' {problem}")
    return _invalid(path, problem)


def _render_path(link: object) -> tuple[str, bool]:
    """``checks[0].envs.A`` for a path link; whether it designates a mapping key."""
    steps = []
    while link is not None:
        link, step = link  # type: ignore[misc]
        steps.append(step)
    steps.reverse()
    is_key = bool(steps) and steps[-1] is _KEY
    if is_key:
        steps.pop()
    parts: list[str] = []
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            name = _echo(step.value) if isinstance(step, yaml.ScalarNode) else "?"
            parts.append(f".{name}" if parts else name)
    path = "".join(parts) or "(root)"
    if len(path) > 3 * ECHO_LIMIT:
        path = path[:ECHO_LIMIT] + "…" + path[-2 * ECHO_LIMIT :]
    return path, is_key
