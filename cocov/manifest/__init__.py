"""Parsing and validation of a repository's ``.cocov.yaml`` manifest (version "0.1.alpha").

Pure Python: no Django, no database. The parser either returns a fully validated,
immutable :class:`Manifest` or raises :class:`ManifestError` whose ``kind`` and
``description`` are the exact strings Cocov reports on a commit status.

Schema::

    version: "0.1.alpha"                 # required string
    coverage:
      min_percent: 80                    # int 0..100
    exclude_paths: ["vendor/", "**/*.min.js"]
    defaults:
      checks:
        envs: {KEY: value}               # scalar values, stringified
        mounts:
          - source: secrets:NAME
            destination: /path
    checks:
      - plugin: cocov/rubocop:v0.1       # required
        envs: {...}
        mounts: [...]

Unknown keys anywhere are rejected. An optional key whose value is null is treated
as absent.

The manifest comes from an untrusted repository, so besides the schema it is held to
limits (all violations are ``manifest_invalid_or_missing_data``):

* the YAML document, with every reference of an alias counted again, has at most
  MAX_DOCUMENT_NODES values and MAX_DOCUMENT_CHARS characters of scalar text, and no
  recursive aliases; no string anywhere may contain NUL or a lone surrogate;
* at most MAX_CHECKS checks; per check (defaults included) at most MAX_ENVS_PER_CHECK
  environment variables and MAX_MOUNTS_PER_CHECK mounts; env names match
  ``[A-Za-z_][A-Za-z0-9_]*`` (at most 255 characters), env values are at most
  MAX_ENV_VALUE_BYTES bytes; the checks' env names and values and mount sources and
  destinations add up to at most MAX_CHECKS_PAYLOAD_BYTES bytes;
* ``plugin`` is a container image reference of at most 255 characters;
* a mount ``destination`` is a clean absolute path (no ``.``/``..``/empty components,
  not ``/``) of at most 1024 characters; ``secrets:NAME`` has NAME matching
  ``[A-Za-z0-9_][A-Za-z0-9_.-]*`` (at most 255 characters);
* at most MAX_EXCLUDE_PATHS ``exclude_paths`` patterns of at most 1024 characters.

Every ``extra`` message is safe to store and display: control characters, lone
surrogates and bidirectional-text controls are escaped, and echoed user values are cut
to about 100 characters.

Layout (each module imports only from those listed before it): ``limits`` (names and limits), ``errors``
(ManifestError, kinds, descriptions, safe text), ``globs`` (exclude pattern matching),
``images`` (plugin image references), ``model`` (Mount, CheckSpec, Manifest),
``loading`` (YAML loading and the expansion/size scan), ``schema`` (parse_manifest,
load_manifest and the section parsers).
"""

from cocov.manifest.errors import ManifestError
from cocov.manifest.images import clean_plugin_name
from cocov.manifest.limits import MANIFEST_FILENAME, MAX_MANIFEST_BYTES, SUPPORTED_VERSION
from cocov.manifest.model import CheckSpec, Manifest, Mount
from cocov.manifest.schema import load_manifest, parse_manifest

__all__ = [
    "MANIFEST_FILENAME",
    "MAX_MANIFEST_BYTES",
    "SUPPORTED_VERSION",
    "CheckSpec",
    "Manifest",
    "ManifestError",
    "Mount",
    "clean_plugin_name",
    "load_manifest",
    "parse_manifest",
]
