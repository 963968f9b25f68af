"""Private file storage: under MEDIA_ROOT/private, never given a URL; served only by access-checked views."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage rooted at MEDIA_ROOT/private (follows MEDIA_ROOT changes, e.g. in tests)."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through an access-checked view.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage for certificates (a callable keeps migrations free of paths)."""
    return _storage


def certificate_upload_to(instance, filename: str) -> str:
    """A random name without the original (which may hold a name or an ID number)."""
    return f"volunteer-certificates/{uuid.uuid4().hex}"
