"""Roster import/export pages (owned by the roster feature)."""

urlpatterns: list = []
