"""What every job shares: enqueueing after commit, the django-q2 entry point, logging, and
"the record is gone, end quietly"."""

import functools
import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django_q.tasks import async_task

log = logging.getLogger("jobs")


class Job:
    """A background job: subclasses set `name` and implement `perform(*args)`.

    `perform` finds its records and calls domain code. An exception fails the job, which
    django-q2 then lists under "Failed tasks" in the admin, where it can be retried.
    A record deleted in the meantime (ObjectDoesNotExist) ends the job quietly.
    """

    name = None

    def perform(self, *args):
        raise NotImplementedError

    @classmethod
    def run(cls, *args):
        log.info("Job started", extra={"job": cls.name, "job_args": args})
        try:
            result = cls().perform(*args)
        except ObjectDoesNotExist as gone:
            log.info("Job ended: record gone", extra={"job": cls.name, "job_args": args, "reason": str(gone)})
            return None
        except Exception:
            log.exception("Job failed", extra={"job": cls.name, "job_args": args})
            raise
        log.info("Job finished", extra={"job": cls.name, "job_args": args})
        return result

    @classmethod
    def task_path(cls):
        return f"{cls.__module__}.{cls.__qualname__}.run"

    @classmethod
    def enqueue_now(cls, *args):
        args_text = ", ".join(_shown(arg) for arg in args)
        return async_task(cls.task_path(), *args, task_name=f"{cls.name}({args_text})", group=cls.name)

    @classmethod
    def enqueue(cls, *args, using=None):
        """Queue the job once the current transaction commits (at once outside a transaction)."""
        transaction.on_commit(functools.partial(cls.enqueue_now, *args), using=using, robust=False)


def _shown(arg):
    """An argument as the admin lists it in the task's name: large payloads by their size."""
    if isinstance(arg, (bytes, bytearray)):
        return f"<{len(arg)} bytes>"
    text = repr(arg)
    return text if len(text) <= 80 else text[:77] + "..."
