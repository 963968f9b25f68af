"""Imported once by the fork server of `sanshe.core.uploads`: Django is set up there, so each parser child
(a fork of that server) starts ready instead of loading every app again. Nothing else imports this module."""

from __future__ import annotations

import logging

try:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    # The readers the parsers use, loaded before the fork rather than in every child. (The features' parser
    # modules are imported by the child when it receives its function: the kernel imports no feature.)
    import python_calamine  # noqa: F401
    from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin  # noqa: F401

    import sanshe.core.uploads  # noqa: F401
except Exception:  # the child sets Django up itself if this failed; never kill the fork server
    logging.getLogger(__name__).exception("upload parser fork server: preloading failed")
