import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings_or_exit():
    """Load settings now, so that a missing or bad setting stops start-up with one clear line."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS
    except ImproperlyConfigured as error:
        print(f"cocov: configuration error: {error}", file=sys.stderr)
        sys.exit(1)
