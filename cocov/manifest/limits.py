"""Names and limits of the ``.cocov.yaml`` manifest (see :mod:`cocov.manifest`)."""

MANIFEST_FILENAME = ".cocov.yaml"
SUPPORTED_VERSION = "0.1.alpha"
MAX_MANIFEST_BYTES = 1024 * 1024
SECRET_SOURCE_PREFIX = "secrets:"

# Limits on what an untrusted manifest may ask for.
MAX_DOCUMENT_NODES = 100_000  # YAML values, every reference of an alias counted again
MAX_DOCUMENT_CHARS = 1024 * 1024  # characters of scalar text, aliases counted again
MAX_CHECKS = 100
MAX_ENVS_PER_CHECK = 200
MAX_MOUNTS_PER_CHECK = 50
MAX_ENV_NAME_LENGTH = 255
MAX_ENV_VALUE_BYTES = 32 * 1024
MAX_CHECKS_PAYLOAD_BYTES = 1024 * 1024  # env names + values + mount strings, all checks
MAX_PLUGIN_LENGTH = 255
MAX_SECRET_NAME_LENGTH = 255
MAX_DESTINATION_LENGTH = 1024
MAX_EXCLUDE_PATHS = 200
MAX_EXCLUDE_PATH_LENGTH = 1024
ECHO_LIMIT = 100  # characters of a user value echoed in an error message
