"""GitHub-style list pagination: ``per_page``/``page`` params and the ``Link`` header."""

from __future__ import annotations

from urllib.parse import urlencode

MAX_PER_PAGE = 100


def _int_param(value, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if n >= 1 else default


def paginate(items: list, query: list[tuple[str, str]], base_url: str, path: str,
             per_page_default: int = 30) -> tuple[list, str | None]:
    """Slice ``items`` for the requested page; return (page_items, Link header or None).

    ``query`` is the request's query as ordered (name, value) pairs; the Link URLs keep
    every parameter except ``page`` (which is replaced), in order, like GitHub does.
    """
    params = dict(query)
    per_page = min(_int_param(params.get("per_page"), per_page_default), MAX_PER_PAGE)
    page = _int_param(params.get("page"), 1)
    last = max(1, -(-len(items) // per_page))
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]

    def url(n: int) -> str:
        pairs = [(k, v) for k, v in query if k != "page"] + [("page", str(n))]
        return f"{base_url}{path}?{urlencode(pairs)}"

    links = []
    if page > 1:
        links.append((url(min(page - 1, last)), "prev"))
    if page < last:
        links.append((url(page + 1), "next"))
        links.append((url(last), "last"))
    if page > 1:
        links.append((url(1), "first"))
    header = ", ".join(f'<{u}>; rel="{rel}"' for u, rel in links) or None
    return chunk, header
