"""The OpenAPI schema and the docs page, which must work on an intranet with no internet."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

EXPECTED_PATHS = {
    "/api/v1/communities", "/api/v1/communities/{community_id}", "/api/v1/compounds", "/api/v1/buildings",
    "/api/v1/units", "/api/v1/households", "/api/v1/households/{household_id}", "/api/v1/people",
    "/api/v1/people/{person_id}", "/api/v1/people/{person_id}/reveal",
}


def _staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_openapi_schema_lists_every_endpoint_with_auth_and_errors(world, community_worker):
    response = _staff_client(community_worker).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert EXPECTED_PATHS <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "SessionWithCsrf"}
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    people = schema["paths"]["/api/v1/people"]
    assert set(people) == {"get", "post"}
    assert {"200", "401", "403", "422"} <= set(people["get"]["responses"])
    assert set(schema["paths"]["/api/v1/people/{person_id}"]) == {"get", "patch"}
    params = {p["name"] for p in people["get"]["parameters"]}
    assert {"q", "community", "compound", "building", "category", "cursor", "limit"} <= params
    # Schemas are documented in Chinese and English; personal data is only ever masked.
    person = schema["components"]["schemas"]["PersonOut"]["properties"]
    assert "doc_number" not in person and "phone" not in person and "address" not in person
    assert "已遮蔽" in person["doc_number_masked"]["description"]
    assert "masked" in person["doc_number_masked"]["description"]


def test_docs_page_uses_only_local_assets(world, community_worker):
    response = _staff_client(community_worker).get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references, "the docs page should load Swagger UI"
    for ref in references:
        assert ref.startswith("/static/"), ref
        assert finders.find(ref.removeprefix("/static/")), f"{ref} is not shipped with the app"
    assert "//" not in "".join(references)
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise call validator.swagger.io
    assert '"url": "/api/v1/openapi.json"' in page


def test_health_needs_no_login(db):
    assert Client().get("/api/v1/health").json() == {"status": "ok"}


def test_docs_and_schema_need_a_login_or_a_token(world, community_worker, with_token):
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/?next=")
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 401 and "请先登录" in schema.json()["detail"]
    bogus = Client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer ssk_not-a-token"})
    assert bogus.status_code == 401
    caller = with_token(community_worker)
    assert caller.client.get("/api/v1/openapi.json", headers=caller.headers).status_code == 200
