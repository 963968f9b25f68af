"""The site's URLs plus two views that fail on purpose (for the 500 page and the API's 500 body)."""

from django.urls import path

from sanshe.urls import handler400, handler403, handler404, handler500  # noqa: F401
from sanshe.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), *site_urlpatterns]
