"""Access and validation errors shared by services, selectors and views."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ObjectNotFound(Http404):
    """Missing or out of scope: the same answer for both, so existence is never revealed."""


class ActionForbidden(PermissionDenied):
    """The actor's role does not allow this action at all (403)."""
