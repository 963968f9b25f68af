"""Household sheet (花名册) import/export pages, owned by the household sheet feature.

"Roster" means duty shifts (the `rosters` app); these pages used to live under `roster/`, and those
addresses still answer with a permanent redirect so bookmarks keep working.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import path, re_path

from . import household_sheet_views as views


def household_sheet_moved(request: HttpRequest, rest: str) -> HttpResponsePermanentRedirect:
    """The page's address before the rename (`…/roster/import/…`): the same path under `households/`."""
    return HttpResponsePermanentRedirect(request.get_full_path().replace("/roster/", "/households/", 1))


urlpatterns: list = [
    path("households/import/", views.household_sheet_import, name="household_sheet_import"),
    path("households/import/template.xlsx", views.household_sheet_template, name="household_sheet_template"),
    path("households/import/<int:job_id>/", views.household_sheet_job, name="household_sheet_job"),
    path("households/import/<int:job_id>/status/", views.household_sheet_job_status,
         name="household_sheet_job_status"),
    path("households/import/<int:job_id>/start/", views.household_sheet_job_start,
         name="household_sheet_job_start"),
    path("households/import/<int:job_id>/cancel/", views.household_sheet_job_cancel,
         name="household_sheet_job_cancel"),
    path("households/import/<int:job_id>/errors.xlsx", views.household_sheet_job_errors,
         name="household_sheet_job_errors"),
    path("households/export/", views.household_sheet_export, name="household_sheet_export"),
    # The old addresses (before the rename): GET bookmarks land on the same page.
    re_path(r"^roster/(?P<rest>(?:import|export)/.*)$", household_sheet_moved, name="household_sheet_moved"),
]
