"""Helpers of the access sweep: enumerate URL patterns and build a pattern's kwargs from the world."""

from __future__ import annotations

from datetime import date

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns() -> list[tuple[str, str]]:
    """Every URL pattern as (name, full pattern string), recursively; unnamed ones keyed by their pattern."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                if entry.name:
                    found.append((f"{namespace}:{entry.name}" if namespace else entry.name, full))
                else:
                    found.append((full, full))

    walk(get_resolver(), "", "")
    return found


def resolve_kwargs(spec: dict[str, str], objects, tokens: dict[str, str] | None = None) -> dict[str, object]:
    """`{"pk": "case"}` → {"pk": objects.case.pk}; a value starting with "=" is literal, with "@" a plaintext
    token of the world (link URLs); dates become ISO."""
    kwargs: dict[str, object] = {}
    for key, value in spec.items():
        if value.startswith("="):
            kwargs[key] = value[1:]
            continue
        if value.startswith("@"):
            kwargs[key] = (tokens or {})[value[1:]]
            continue
        target = objects
        for part in value.split("."):
            target = getattr(target, part)
        if hasattr(target, "pk"):
            target = target.pk
        elif isinstance(target, date):
            target = target.isoformat()
        kwargs[key] = target
    return kwargs
