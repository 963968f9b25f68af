"""Library fixtures: the guide's categories (a flushed database may have lost the migration's rows)."""

from __future__ import annotations

import pytest

from sanshe.knowledge.models import Category
from sanshe.knowledge.services import ensure_default_categories


@pytest.fixture
def categories(db) -> dict[str, Category]:
    ensure_default_categories()
    return {c.name: c for c in Category.objects.all()}
