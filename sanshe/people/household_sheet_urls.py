"""Roster import/export pages (owned by the roster feature)."""

from django.urls import path

from . import roster_views

urlpatterns: list = [
    path("roster/import/", roster_views.roster_import, name="roster_import"),
    path("roster/import/template.xlsx", roster_views.roster_template, name="roster_template"),
    path("roster/import/<int:job_id>/", roster_views.roster_job, name="roster_job"),
    path("roster/import/<int:job_id>/status/", roster_views.roster_job_status, name="roster_job_status"),
    path("roster/import/<int:job_id>/start/", roster_views.roster_job_start, name="roster_job_start"),
    path("roster/import/<int:job_id>/cancel/", roster_views.roster_job_cancel, name="roster_job_cancel"),
    path("roster/import/<int:job_id>/errors.xlsx", roster_views.roster_job_errors, name="roster_job_errors"),
    path("roster/export/", roster_views.roster_export, name="roster_export"),
]
