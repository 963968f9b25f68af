"""Monitoring's part of the one scope (sanshe.core.gate): monitoring.* capabilities over places."""

from sanshe.core.gate import ScopePart

from .policies import build_monitoring_scope

SCOPE_PARTS = [ScopePart("monitoring", build=build_monitoring_scope, namespaces=("monitoring",))]
