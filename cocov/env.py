"""Reading the process environment: the only module besides settings that looks at os.environ."""

import base64
import binascii
import os

from django.core.exceptions import ImproperlyConfigured


class MissingSetting(ImproperlyConfigured):
    pass


class InvalidSetting(ImproperlyConfigured):
    pass


def string(name, default=None, required=False):
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise MissingSetting(f"{name} is required but not set")
    return default


def boolean(name, default=False):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise InvalidSetting(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def integer(name, default=None):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidSetting(f"{name} must be an integer") from None


def csv(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def base64_text(name):
    value = string(name)
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        # Never echo the value: it is a private key.
        raise InvalidSetting(f"{name} must be the base64 of a PEM private key") from None


def hex_key(name, length):
    value = string(name)
    if value is None:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) * 2 != length:
        raise InvalidSetting(f"{name} must be {length} hexadecimal characters")
    return key


def choice(name, choices, default):
    value = string(name, default).upper()
    if value not in choices:
        raise InvalidSetting(f"{name} must be one of {', '.join(choices)}")
    return value


def redis_url(name):
    value = string(name)
    if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
        raise InvalidSetting(f"{name} must be a redis://, rediss:// or unix:// URL")
    return value
