from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using="default", **kwargs):
    # Coverage held for unknown commits lives in Django's database cache: `migrate` makes its table.
    import io

    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0, stdout=io.StringIO())


class CocovConfig(AppConfig):
    name = "cocov"
    verbose_name = "Cocov"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="cocov.create_cache_table")
