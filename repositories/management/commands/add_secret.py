import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from repositories.models import Repository, Secret


class Command(BaseCommand):
    help = "Store a secret checks can mount (`secrets:NAME`). The value is read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--repository", help="scope the secret to this repository (default: organization)")

    def handle(self, *args, name, repository=None, **options):
        value = sys.stdin.read().rstrip("\n")
        if not value:
            raise CommandError("The secret's value is read from standard input, and it was empty")
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
