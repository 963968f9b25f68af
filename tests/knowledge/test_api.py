"""The library's API router on a NinjaAPI of its own (the project mounts it on /api/v1/knowledge)."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from sanshe.knowledge.api import router

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    api = NinjaAPI(urls_namespace="knowledge-api-test")
    api.add_router("/knowledge", router)
    return TestClient(api)


def test_staff_search_and_suggest(api_client, world, categories, social_worker, resident):
    publish(social_worker, categories["防护知识"], "口罩多久需要更换一次？", "4小时左右。")
    found = api_client.get("/knowledge/search?q=口罩 更换", user=social_worker).json()
    assert found["mode"] == "all" and found["hits"][0]["question_html"] == "<mark>口罩</mark>多久需要<mark>更换</mark>一次？"
    suggested = api_client.post("/knowledge/suggest", json={"text": "口罩要多久换一次啊"}, user=social_worker).json()
    assert [h["question"] for h in suggested] == ["口罩多久需要更换一次？"]
    assert api_client.get("/knowledge/search?q=口罩", user=resident).status_code == 403
