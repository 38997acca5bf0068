"""Container image references: the plugin name Cocov shows, and validation."""

from __future__ import annotations

import re

from cocov.manifest.limits import MAX_PLUGIN_LENGTH


def clean_plugin_name(image: str) -> str:
    """The plugin name Cocov shows for an image reference: no registry host, no tag,
    no digest. ``ghcr.io:443/org/img:tag`` -> ``org/img``."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.find(":", slash + 1)
    if colon != -1:
        name = name[:colon]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts)


# An image reference (distribution/reference grammar), restricted so that a registry
# host is recognised exactly when clean_plugin_name strips it: the first component is a
# host when it has a dot or a port, is ``localhost``, or is a bracketed IPv6 address.
# Repository path components are lowercase; the tag may have uppercase letters.
_HOST_PART = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_REGISTRY = (
    rf"(?:localhost(?::[0-9]+)?"
    rf"|{_HOST_PART}(?:\.{_HOST_PART})+(?::[0-9]+)?"
    rf"|{_HOST_PART}:[0-9]+"
    rf"|\[[0-9A-Fa-f:]+\](?::[0-9]+)?)"
)
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REFERENCE = re.compile(
    rf"(?:{_REGISTRY}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    rf"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?"
    rf"(?:@sha256:[0-9a-f]{{64}})?"
)


def _valid_image_reference(plugin: str) -> bool:
    return len(plugin) <= MAX_PLUGIN_LENGTH and _IMAGE_REFERENCE.fullmatch(plugin) is not None
