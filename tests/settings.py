"""Test settings: the production settings module, fed a test environment."""

import os
import tempfile

os.environ.setdefault("COCOV_GITHUB_ORG_NAME", "cocov-test")
os.environ.setdefault("COCOV_GITHUB_WEBHOOK_SECRET_KEY", "test-webhook-secret")
os.environ.setdefault("COCOV_GITHUB_TOKEN", "ghs_testtoken")
os.environ.setdefault("COCOV_CRYPTOGRAPHIC_KEY", "00112233445566778899aabbccddeeff")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key")
os.environ.setdefault("COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH", tempfile.mkdtemp(prefix="cocov-test-storage-"))

from cocov.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
