"""Person detail and the audited reveal: permissions, masking, the reason, no caching, the audit entry."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from sanshe.core.models import AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db


def detail(person) -> str:
    return reverse("people:person_detail", args=[person.pk])


def reveal(person, field: str) -> str:
    return reverse("people:person_reveal", args=[person.pk, field])


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (detail(world.head), reverse("people:person_update", args=[world.head.pk]),
                reverse("people:person_create")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reveal(world.head, "phone"), {"reason": "电话回访"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="person.reveal").exists()


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor", "resident"])
def test_roles_without_people_get_403(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail(world.head)).status_code == 403
    assert client.post(reveal(world.head, "phone"), {"reason": "电话回访居民"}).status_code == 403


def test_out_of_scope_person_is_404(client, world, outsider, building_steward):
    client.force_login(outsider)
    assert client.get(detail(world.head)).status_code == 404
    assert client.get(reverse("people:person_update", args=[world.head.pk])).status_code == 404
    client.force_login(building_steward)
    assert client.get(detail(world.head)).status_code == 200
    assert client.get(detail(world.neighbour)).status_code == 404  # another building


def test_missing_person_is_404(client, world, community_worker):
    client.force_login(community_worker)
    assert client.get(reverse("people:person_detail", args=[987654])).status_code == 404


def test_detail_shows_masked_values_only(client, world, community_worker):
    world.spouse.address = "湖北省武汉市江汉区民族路12号3栋401"
    world.spouse.save()
    client.force_login(community_worker)
    response = client.get(detail(world.spouse))
    page = response.content.decode()
    assert "110105********002X" in page and world.spouse.phone_masked in page and "湖北省武汉市****" in page
    assert "11010519491231002X" not in page
    assert world.spouse.phone not in page
    assert "民族路12号" not in page
    assert "no-store" in response["Cache-Control"]


def test_reveal_needs_a_written_reason(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reveal(world.spouse, "doc_number"), {"reason": "看"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写查看事由（至少4个字）" in page
    assert 'value="看"' in page  # what was typed stays
    assert "11010519491231002X" not in page
    assert not AuditEvent.objects.filter(action="person.reveal", outcome=AuditOutcome.SUCCESS).exists()


def test_reveal_shows_the_value_once_never_cached_and_audited(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reveal(world.spouse, "doc_number"), {"reason": "核对核酸检测登记信息"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "11010519491231002X" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["HX-Retarget"] == "#reveal-doc_number"
    event = AuditEvent.objects.get(action="person.reveal")
    assert event.actor == community_worker
    assert event.reason == "核对核酸检测登记信息"
    assert event.detail == {"field": "doc_number"}
    assert event.object_id == str(world.spouse.pk)
    assert "11010519491231002X" not in str(event.detail) + event.object_repr
    # The detail page afterwards is masked again.
    assert "11010519491231002X" not in client.get(detail(world.spouse)).content.decode()


def test_reveal_without_javascript_is_a_full_page(client, world, social_worker):
    client.force_login(social_worker)
    response = client.post(reveal(world.head, "phone"), {"reason": "电话回访居家隔离人员"})
    page = response.content.decode()
    assert response.status_code == 200 and world.head.phone in page and "返回人员信息" in page
    assert "no-store" in response["Cache-Control"]


def test_reveal_out_of_scope_is_404_and_audited_as_denied(client, world, outsider):
    client.force_login(outsider)
    response = client.post(reveal(world.head, "phone"), {"reason": "想看一下"})
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="person.reveal")
    assert event.outcome == AuditOutcome.DENIED and event.actor == outsider


def test_reveal_of_another_field_name_is_404(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(f"/people/{world.head.pk}/reveal/name/", {"reason": "电话回访居民"})
    assert response.status_code == 404


def test_reveal_must_be_a_post(client, world, community_worker):
    client.force_login(community_worker)
    assert client.get(reveal(world.head, "phone")).status_code == 405


def test_id_and_phone_are_encrypted_in_the_database(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("people:person_create"), {
        "name": "孙丽", "doc_type": "resident_id", "doc_number": "440524188001010014", "sex": "U",
        "phone": "139 1234 5678", "compound": world.compound.pk, "building": world.building.pk,
        "unit": world.unit.pk, "household": world.household.pk, "relation": "child", "category": "resident"})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone, doc_index, phone_index FROM people_person WHERE name = %s",
                       ["孙丽"])
        stored = cursor.fetchone()
    for value in stored:
        assert "440524188001010014" not in value and "13912345678" not in value
    assert stored[0].startswith("gAAAA") and stored[1].startswith("gAAAA")  # Fernet tokens


def every_people_page(world) -> list[tuple[str, str]]:
    return [
        ("get", reverse("people:person_list")),
        ("get", reverse("people:person_detail", args=[world.head.pk])),
        ("get", reverse("people:person_update", args=[world.head.pk])),
        ("get", reverse("people:person_create")),
        ("get", reverse("people:building_options")),
        ("get", reverse("people:household_picker")),
        ("post", reveal(world.head, "doc_number")),
    ]


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor", "resident"])
def test_permission_matrix_wrong_role_is_403_everywhere(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for method, url in every_people_page(world):
        assert getattr(client, method)(url, {"reason": "电话回访居民"} if method == "post" else None).status_code == 403, url


def test_permission_matrix_out_of_scope_objects_are_404(client, world, outsider):
    client.force_login(outsider)
    for method, url in every_people_page(world):
        if str(world.head.pk) not in url:
            continue
        assert getattr(client, method)(url, {"reason": "电话回访居民"} if method == "post" else None).status_code == 404, url
