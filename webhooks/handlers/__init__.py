"""Importing this package registers every handler."""

from webhooks.handlers import delete, push  # noqa: F401
