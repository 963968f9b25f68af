"""`POST /triage` on the triage router: who may call it, what comes back, and bad input in Chinese."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from sanshe.triage.api import router

CRISIS = {"observation": {"spo2": 88}}


@pytest.fixture
def client():
    return TestClient(router)


@pytest.mark.parametrize("persona", ["social_worker", "org_admin", "medic", "counsellor"])
def test_triage_staff_get_the_result(client, persona, request):
    user = request.getfixturevalue(persona)
    response = client.post("/triage", json=CRISIS, user=user)
    assert response.status_code == 200
    data = response.json()
    assert (data["tier"], data["urgency"], data["crisis"]) == (3, "immediate", True)
    assert data["reasons"][0]["text"] == "医学危急：血氧饱和度88%，低于90%"
    assert data["actions"][1]["code"] == "call_120"
    assert data["rules_version"]


def test_anonymous_is_401(client):
    response = client.post("/triage", json=CRISIS)
    assert response.status_code == 401
    assert response.json()["detail"] == "请先登录"


@pytest.mark.parametrize("persona", ["resident", "community_worker", "secretary", "outsider"])
def test_other_roles_are_403(client, persona, request):
    user = request.getfixturevalue(persona)
    response = client.post("/triage", json=CRISIS, user=user)
    assert response.status_code == 403
    assert "只有社会工作者、机构管理员、医务志愿者和心理咨询志愿者" in response.json()["detail"]


def test_bad_input_is_400_with_every_chinese_message(client, social_worker):
    response = client.post("/triage", user=social_worker, json={
        "gad7": [0, 0, 0, 0, 0, 0, 4],
        "cssrs": {"q1": True, "q2": False, "q4": True, "q6": False},
    })
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 2
    assert "GAD-7 第7题（感到似乎将有可怕的事情发生而害怕）的答案应为0–3之间的整数，收到“4”" in errors[0]
    assert "第4题不应作答" in errors[1]


def test_body_that_is_not_json_is_400(client, counsellor):
    response = client.post("/triage", data="{oops", user=counsellor)
    assert response.status_code == 400
    assert "评估数据不是有效的 JSON" in response.json()["detail"]


def test_openapi_documents_the_assessment_schema():
    api = NinjaAPI(urls_namespace="triage-schema-test")
    api.add_router("/", router)
    operation = api.get_openapi_schema(path_prefix="")["paths"]["/triage"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) >= {"phq9", "gad7", "phq4", "isi", "cssrs", "observation", "status"}
    assert "$schema" not in body
    assert {int(code) for code in operation["responses"]} == {200, 400, 401, 403}
