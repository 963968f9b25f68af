"""WSGI entry point: HTTP is served by granian's WSGI interface (workers × threads)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanshe.settings.base")
application = get_wsgi_application()
