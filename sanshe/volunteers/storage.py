"""Private file storage: under MEDIA_ROOT/private, never given a URL; served only by access-checked views."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from sanshe.core.uploads import UntrustedFileError, image_clean, parse_untrusted

from .rules import UploadRejected


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


# Certificate photos are kept legible (a scan of a licence needs its small print), but without metadata.
CERTIFICATE_PHOTO_SIDE = 4096


def certificate_photo_clean(upload: File) -> ContentFile:
    """A certificate photo decoded and re-encoded without its EXIF (GPS position, camera, time) or other metadata,
    like chat pictures; decoded in a child process with limits. UploadRejected with a Chinese reason otherwise."""
    name = (upload.name or "")[:60]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        clean = parse_untrusted(image_clean, data, formats=("JPEG", "PNG"), max_side=CERTIFICATE_PHOTO_SIDE,
                                max_pixels=settings.UPLOAD_IMAGE_MAX_PIXELS, quality=90)
    except UntrustedFileError as exc:
        label = f"“{name}”" if name else _("照片")
        if exc.code == "too_large":
            raise UploadRejected(_("%(label)s的尺寸过大（像素太多），请截图或压缩后重新上传") % {"label": label}) from exc
        if exc.code in ("not_image", "format"):
            raise UploadRejected(_("%(label)s不是有效的JPG或PNG图片，请重新拍照或选择文件") % {"label": label}) from exc
        raise UploadRejected(f"{label}：{exc.message}") from exc
    return ContentFile(clean.data, name=upload.name or "photo")
