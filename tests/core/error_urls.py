"""The site's URLs plus views that fail on purpose (the 500 page, the API's 500 body, 403 reasons)."""

from django.urls import path

from sanshe.core.errors import ActionForbidden
from sanshe.urls import handler400, handler403, handler404, handler500  # noqa: F401
from sanshe.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def refuse_with_reason(request):
    raise ActionForbidden("只有群秘书和社工可以汇总每日工作记录。")


def refuse_with_code(request):
    raise ActionForbidden("summary.edit")


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), path("refuse/reason/", refuse_with_reason),
               path("refuse/code/", refuse_with_code), *site_urlpatterns]
