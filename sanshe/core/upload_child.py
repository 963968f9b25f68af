"""Imported once by the fork server of `sanshe.core.uploads`: Django is set up there, so each parser child
(a fork of that server) starts ready instead of loading every app again. Nothing else imports this module."""

from __future__ import annotations

import logging

try:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    # What the parsers need, loaded before the fork rather than in every child.
    import python_calamine  # noqa: F401
    from PIL import Image  # noqa: F401

    import sanshe.core.uploads  # noqa: F401
    import sanshe.knowledge.xlsx  # noqa: F401
    import sanshe.people.roster  # noqa: F401
except Exception:  # the child sets Django up itself if this failed; never kill the fork server
    logging.getLogger(__name__).exception("upload parser fork server: preloading failed")
