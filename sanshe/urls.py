from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from sanshe.api.api import api

admin.site.site_header = "三社 · 机构管理"
admin.site.site_title = "三社"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", include("sanshe.home.urls")),
    path("", include("sanshe.core.urls")),
    path("accounts/", include("sanshe.accounts.urls")),
    path("notifications/", include("sanshe.core.notify.urls")),
    path("places/", include("sanshe.places.urls")),
    path("people/", include("sanshe.people.urls")),
    path("groups/", include("sanshe.groups.urls")),
    path("volunteers/", include("sanshe.volunteers.urls")),
    path("rosters/", include("sanshe.rosters.urls")),
    path("monitoring/", include("sanshe.monitoring.urls")),
    path("cases/", include("sanshe.cases.urls")),
    path("assessments/", include("sanshe.assessments.urls")),
    path("crisis/", include("sanshe.crisis.urls")),
    path("records/", include("sanshe.records.urls")),
    path("knowledge/", include("sanshe.knowledge.urls")),
    path("api/v1/", api.urls),
    path("api/tokens/", include("sanshe.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # The UI strings of the site's scripts (gettext() in JavaScript), served by the app itself: no CDN.
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
# MEDIA_ROOT holds private uploads (rosters, certificates, chat images): never served as static files;
# each feature serves its files through an access-checked view.

# Error pages in Chinese, in the site layout, with a way back; JSON under /api/v1/ (sanshe.core.error_pages).
handler400 = "sanshe.core.error_pages.bad_request"
handler403 = "sanshe.core.error_pages.permission_denied"
handler404 = "sanshe.core.error_pages.page_not_found"
handler500 = "sanshe.core.error_pages.server_error"
