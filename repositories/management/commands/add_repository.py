from django.core.management.base import BaseCommand, CommandError

from repositories.registration import RegistrationError, register_repository


class Command(BaseCommand):
    help = "Register one of the organization's GitHub repositories with Cocov and print its upload token."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the repository's name in the organization (not owner/name)")

    def handle(self, *args, name, **options):
        try:
            registered = register_repository(name)
        except RegistrationError as error:
            raise CommandError(str(error)) from None
        repository = registered.repository
        self.stdout.write(
            f"Registered {repository.full_name} (GitHub id {repository.github_id}, "
            f"default branch {repository.default_branch or '-'}) as repository #{repository.pk}."
        )
        self.stdout.write(f"Coverage upload token (shown once, keep it in your CI secrets): {registered.token}")
