import re
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from repositories.models import Repository, Secret


SECRET_NAME = re.compile(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}\Z")


class Command(BaseCommand):
    help = "Store a secret checks can mount (`secrets:NAME`). The value is read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--repository", help="scope the secret to this repository (default: organization)")

    def handle(self, *args, name, repository=None, **options):
        if not SECRET_NAME.match(name):
            raise CommandError("A secret's name is letters, digits, _ . - (starting with a letter, digit or _)")
        value = sys.stdin.read().rstrip("\n")
        if not value.strip():
            raise CommandError("The secret's value is read from standard input, and it was empty")
        if not settings.COCOV_CRYPTOGRAPHIC_KEY:
            raise CommandError("COCOV_CRYPTOGRAPHIC_KEY must be set to store secrets (32 hex characters)")
        scope, repo = Secret.Scope.ORGANIZATION, None
        if repository:
            repo = Repository.objects.filter(name__iexact=repository).first()
            if repo is None:
                raise CommandError(f"Unknown repository {repository}")
            scope = Secret.Scope.REPOSITORY
        try:
            Secret.objects.create(scope=scope, repository=repo, name=name, value=value)
        except IntegrityError:
            raise CommandError(f"A secret named {name} already exists in that scope") from None
        where = f"repository {repo.name}" if repo else "the organization"
        self.stdout.write(f"Stored secret {name} for {where}.")
