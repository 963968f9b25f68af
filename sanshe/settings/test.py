"""Test settings: the real database engine (SQLite or DATABASE_URL), huey tasks run in-process."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test-field-key-1")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key")

from .base import *  # noqa: E402,F403
from .base import HUEY, VAR_DIR  # noqa: E402

HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# SQLite tests run in a shared in-memory database (one per test process, so parallel runs never collide).

# WhiteNoise serves static files from the finders here; an existing (empty) STATIC_ROOT keeps it from
# warning "No directory at: staticfiles/" in every test on a fresh clone where collectstatic never ran.
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
