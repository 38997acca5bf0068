"""Row-free locks for things that may not exist yet (a commit GitHub has not told us about)."""

import hashlib

from django.db import connection


def lock_commit_key(repository_id, sha):
    """Serialize, until the transaction ends, everyone touching (repository, sha).

    PostgreSQL: a transaction-level advisory lock. SQLite: nothing to do, its IMMEDIATE transactions
    already run one writer at a time.
    """
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"{repository_id}:{sha}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    elif connection.vendor != "sqlite":
        from repositories.models import Repository

        list(Repository.objects.select_for_update(no_key=True).filter(pk=repository_id))
