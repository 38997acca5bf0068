"""``exclude_paths`` glob patterns: tokenizing, compiling and matching."""

from __future__ import annotations

import re
from functools import lru_cache

# ``*``, ``?`` and ``[...]`` never match ``/``; a run of two or more ``*`` matches
# anything (``.*``), and at the start of a component and followed by ``/`` it also
# matches zero directories (``(?:.*/)?``); a trailing ``/`` means "everything below".
#
# Matching never backtracks catastrophically. A pattern is cut at its ``**`` wildcards
# into pieces, and each piece at its ``*`` into fixed-length chunks. In the regular
# expression built from it every ``*`` but a piece's last one matches lazily inside an
# atomic group, ``(?>[^/]*?CHUNK)``, and every ``**`` but the last one, together with
# the piece after it, is an atomic group too: each is committed to its earliest end.
# That keeps the language unchanged: after ``*CHUNK`` the reachable end positions all
# lie in one slash-free stretch of the path (or are a single position, when the chunk
# has a ``/``), so whatever can follow from a later end can follow from the earliest
# one; and the piece before a ``**`` (which can swallow anything) or a ``**/`` (which
# only comes after a ``/``) is best ended as early as possible, which the leftmost
# successful start achieves. The work is then O(starts x span x chunk length): the
# pathological ``*a*a*a*a*a*a*a*a*a*a*a*a`` is linear. For the rare path and pattern
# pairs where that bound is too high, a bit-parallel NFA (O(path x pattern / 30)) is
# used instead.

_LIT, _ANY, _CLASS, _STAR, _DSTAR, _DSLASH = range(6)
_REGEX_COST_LIMIT = 200_000
_MASK_CACHE_SIZE = 512
_LEADING_DOT_SLASHES = re.compile(r"(?:\./)*")


def _normalize_relative_path(path: str) -> str:
    return path[_LEADING_DOT_SLASHES.match(path).end() :].lstrip("/")


def _tokenize_glob(pat: str) -> list[tuple]:
    tokens: list[tuple] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "*":
            j = i + 1
            while j < n and pat[j] == "*":
                j += 1
            if j - i == 1:
                tokens.append((_STAR,))
                i = j
            elif (i == 0 or pat[i - 1] == "/") and j < n and pat[j] == "/":
                tokens.append((_DSLASH,))
                i = j + 1
            else:
                tokens.append((_DSTAR,))
                i = j
        elif c == "?":
            tokens.append((_ANY,))
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pat[j] == "!":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            j = pat.find("]", j)
            if j == -1:
                tokens.append((_LIT, c))
                i += 1
                continue
            body = pat[i + 1 : j]
            i = j + 1
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            ranges: list[tuple[str, str]] = []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    lo, hi = body[k], body[k + 2]
                    if lo <= hi:
                        ranges.append((lo, hi))
                    k += 3
                else:
                    ranges.append((body[k], body[k]))
                    k += 1
            tokens.append((_CLASS, negate, tuple(ranges)))
        else:
            tokens.append((_LIT, c))
            i += 1
    return tokens


def _char_regex(token: tuple) -> str:
    if token[0] == _LIT:
        return re.escape(token[1])
    if token[0] == _ANY:
        return "[^/]"
    _, negate, ranges = token
    parts = "".join(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in ranges)
    if negate:
        return f"[^/{parts}]"
    return f"(?!/)[{parts}]" if parts else "(?!)"


def _char_matches(token: tuple, c: str) -> bool:
    if token[0] == _LIT:
        return token[1] == c
    if c == "/":
        return False
    if token[0] == _ANY:
        return True
    _, negate, ranges = token
    return any(lo <= c <= hi for lo, hi in ranges) != negate


class _Piece:
    """Tokens between two ``**`` wildcards: fixed-length chunks separated by ``*``."""

    def __init__(self, tokens: list[tuple]):
        self.chunks: list[list[tuple]] = [[]]
        for token in tokens:
            if token[0] == _STAR:
                self.chunks.append([])
            else:
                self.chunks[-1].append(token)
        self.has_star = len(self.chunks) > 1
        self.has_slash = any(token == (_LIT, "/") for token in tokens)
        self.length = len(tokens)
        self.longest_chunk = max(len(chunk) for chunk in self.chunks)

    def regex(self, anchored_end: bool) -> str:
        """Matches at a fixed start; committed to the earliest end unless ``anchored_end``
        (then the last ``*`` is free so that the piece can end where the path does)."""
        out = ["".join(map(_char_regex, self.chunks[0]))]
        last = len(self.chunks) - 1
        for index in range(1, last + 1):
            chunk = "".join(map(_char_regex, self.chunks[index]))
            out.append(f"[^/]*{chunk}" if anchored_end and index == last else f"(?>[^/]*?{chunk})")
        return "".join(out)

    def cost(self, length: int, longest_component: int) -> int:
        """Upper bound on the regex engine's work for one start position."""
        if not self.has_star:
            return self.length + 1
        span = length if self.has_slash else longest_component
        return 2 * span * (self.longest_chunk + 1) + self.length + 1


class _Glob:
    """A compiled exclude pattern; see the comment above."""

    def __init__(self, pattern: str):
        pattern = _normalize_relative_path(pattern)
        if pattern.endswith("/"):
            tokens = _tokenize_glob(pattern.rstrip("/")) + [(_LIT, "/"), (_DSTAR,)]
        else:
            tokens = _tokenize_glob(pattern)
        self._tokens = tokens
        # Cut at the ** wildcards: first piece, then (wildcard kind, piece) groups.
        pieces: list[list[tuple]] = [[]]
        kinds: list[int] = []
        for token in tokens:
            if token[0] in (_DSTAR, _DSLASH):
                kinds.append(token[0])
                pieces.append([])
            else:
                pieces[-1].append(token)
        self._first = _Piece(pieces[0])
        self._groups = [(kind, _Piece(piece)) for kind, piece in zip(kinds, pieces[1:])]
        regex = [self._first.regex(anchored_end=not self._groups)]
        for index, (kind, piece) in enumerate(self._groups):
            wildcard = ".*?" if kind == _DSTAR else "(?:.*?/)??"
            if index == len(self._groups) - 1:
                regex.append(wildcard + piece.regex(anchored_end=True))
            else:
                regex.append(f"(?>{wildcard}{piece.regex(anchored_end=False)})")
        self._regex = re.compile("".join(regex) + r"\Z", re.DOTALL)
        # Paths up to this length are always cheap enough for the regex.
        low, high = 0, 1 << 20
        while low < high:
            mid = (low + high + 1) // 2
            if self._regex_cost(mid, mid + 1, mid) <= _REGEX_COST_LIMIT:
                low = mid
            else:
                high = mid - 1
        self._regex_safe_length = low
        self._nfa: _GlobNFA | None = None

    def _regex_cost(self, length: int, components: int, longest_component: int) -> int:
        cost = length + self._first.cost(length, longest_component)
        for kind, piece in self._groups:
            starts = length + 1 if kind == _DSTAR else components
            cost += starts * piece.cost(length, longest_component)
        return cost

    def matches(self, path: str) -> bool:
        length = len(path)
        if length <= self._regex_safe_length:
            return self._regex.match(path) is not None
        components = path.count("/") + 1
        longest = max(map(len, path.split("/")))
        if self._regex_cost(length, components, longest) <= _REGEX_COST_LIMIT:
            return self._regex.match(path) is not None
        return self._nfa_matches(path)

    def _regex_matches(self, path: str) -> bool:
        return self._regex.match(path) is not None

    def _nfa_matches(self, path: str) -> bool:
        if self._nfa is None:
            self._nfa = _GlobNFA(self._tokens)
        return self._nfa.matches(path)


class _GlobNFA:
    """Bit-parallel simulation of the pattern's automaton: bit ``p`` set means "the
    tokens before position p have matched". Single-character tokens shift their bit
    left on a match; ``*`` and ``**`` loop on their bit; ``**/`` is two bits, "at a
    component start" (a, exits to the next token) and "inside a skipped component" (b),
    for ``(?:[^/]*/)*``, which is the same language as ``(?:.*/)?``."""

    def __init__(self, tokens: list[tuple]):
        # ``**/**/`` is ``**/``, and ``**/**`` is ``**``: collapsing them keeps every
        # chain of empty moves at most two long (a -> * -> next).
        collapsed: list[tuple] = []
        for token in tokens:
            if collapsed and collapsed[-1][0] == _DSLASH and token[0] in (_DSLASH, _DSTAR):
                collapsed[-1] = token
            else:
                collapsed.append(token)
        self._literals: dict[str, int] = {}
        self._any = 0
        self._classes: list[tuple[int, tuple]] = []
        self._loop_any = self._loop_not_slash = self._ds_a = self._ds_b = self._exit_next = 0
        position = 0
        for token in collapsed:
            bit = 1 << position
            kind = token[0]
            if kind == _LIT:
                self._literals[token[1]] = self._literals.get(token[1], 0) | bit
            elif kind == _ANY:
                self._any |= bit
            elif kind == _CLASS:
                self._classes.append((bit, token))
            elif kind == _STAR:
                self._loop_not_slash |= bit
                self._exit_next |= bit
            elif kind == _DSTAR:
                self._loop_any |= bit
                self._exit_next |= bit
            else:  # _DSLASH
                self._ds_a |= bit
                self._ds_b |= bit << 1
                position += 1
            position += 1
        self._accept = 1 << position
        self._masks: dict[str, int] = {}

    def _mask(self, c: str) -> int:
        mask = self._masks.get(c)
        if mask is None:
            mask = self._literals.get(c, 0)
            if c != "/":
                mask |= self._any
                for bit, token in self._classes:
                    if _char_matches(token, c):
                        mask |= bit
            if len(self._masks) < _MASK_CACHE_SIZE:
                self._masks[c] = mask
        return mask

    def _closure(self, states: int) -> int:
        states |= (states & self._ds_a) << 2
        return states | (states & self._exit_next) << 1

    def matches(self, path: str) -> bool:
        loop_slash = self._loop_any | self._ds_a
        loop_other = self._loop_any | self._loop_not_slash | self._ds_b
        ds_a, ds_b = self._ds_a, self._ds_b
        states = self._closure(1)
        for c in path:
            if c == "/":
                states = ((states & self._mask(c)) << 1) | (states & loop_slash) | ((states & ds_b) >> 1)
            else:
                states = ((states & self._mask(c)) << 1) | (states & loop_other) | ((states & ds_a) << 1)
            if not states:
                return False
            states = self._closure(states)
        return bool(states & self._accept)


@lru_cache(maxsize=1024)
def _compile_glob(pattern: str) -> _Glob:
    return _Glob(pattern)
