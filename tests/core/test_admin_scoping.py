"""The Django admin for places, people and the audit log: scoped, masked, audited, append-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from sanshe.places.models import Compound

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(org_admin):
    org_admin.is_staff = True
    org_admin.save()
    return org_admin


@pytest.fixture
def superuser(world):
    from tests.factories import UserFactory

    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return user


def changelist(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


def test_org_admin_sees_only_their_organisations_places_and_people(client, world, staff_admin):
    client.force_login(staff_admin)
    page = client.get(changelist("places_community")).content.decode()
    assert "民族社区" in page and "外区社区" not in page
    response = client.get(changelist("people_person"))
    names = {p.name for p in response.context["cl"].result_list}
    assert names == {"张伟", "王芳", "李娜"}
    away = reverse("admin:people_person_change", args=[world.stranger.pk])
    assert client.get(away).status_code == 302  # "doesn't exist" → back to the index, nothing shown
    assert "刘洋" not in client.get(away, follow=True).content.decode()


def test_other_staff_roles_cannot_use_the_admin(client, world, community_worker):
    community_worker.is_staff = True
    community_worker.save()
    client.force_login(community_worker)
    assert client.get(changelist("people_person")).status_code == 403
    assert client.get(changelist("core_auditevent")).status_code == 403


def test_person_admin_shows_masked_numbers_only(client, world, staff_admin):
    client.force_login(staff_admin)
    page = client.get(changelist("people_person")).content.decode()
    assert world.spouse.phone not in page and "11010519491231002X" not in page
    assert "110105********002X" in page and world.spouse.phone_masked in page
    change = client.get(reverse("admin:people_person_change", args=[world.spouse.pk]))
    page = change.content.decode()
    assert "11010519491231002X" not in page and world.spouse.phone not in page
    assert 'name="doc_number"' not in page and 'name="phone"' not in page
    assert 'name="new_phone"' in page


def test_person_admin_search_uses_name_pinyin_and_initials(client, world, staff_admin):
    client.force_login(staff_admin)
    for query in ("张", "zhangw", "zw"):
        response = client.get(changelist("people_person"), {"q": query})
        assert [p.name for p in response.context["cl"].result_list] == ["张伟"], query


def test_community_filter_lists_only_covered_communities(client, world, staff_admin):
    client.force_login(staff_admin)
    page = client.get(changelist("people_person")).content.decode()
    assert "外区社区" not in page


def _person_post(world, person, **overrides) -> dict:
    data = {
        "name": person.name, "sex": person.sex, "birth_date": person.birth_date.isoformat(),
        "doc_type": person.doc_type, "household": person.household_id, "relation": person.relation,
        "category": person.category, "population_level": "", "is_active": "on",
        "new_doc_number": "", "new_phone": "", "new_address": "",
    }
    data.update(overrides)
    return data


def test_person_changes_in_the_admin_go_through_the_service(client, world, staff_admin):
    client.force_login(staff_admin)
    url = reverse("admin:people_person_change", args=[world.head.pk])
    response = client.post(url, _person_post(world, world.head, new_phone="+86 139 0000 1111",
                                             category="home_quarantine"))
    assert response.status_code == 302
    world.head.refresh_from_db()
    assert world.head.phone == "13900001111" and world.head.category == "home_quarantine"
    assert world.head.doc_number  # blank "new" box kept the stored number
    event = AuditEvent.objects.get(action="person.update")
    assert event.actor == staff_admin and {"phone", "category"} <= set(event.detail["fields"])


def test_person_admin_errors_are_chinese(client, world, staff_admin):
    client.force_login(staff_admin)
    url = reverse("admin:people_person_change", args=[world.head.pk])
    response = client.post(url, _person_post(world, world.head, new_phone="12345"))
    assert response.status_code == 200
    assert "手机号应为11位中国大陆手机号" in response.content.decode()


def test_place_created_in_the_admin_is_audited(client, world, staff_admin):
    client.force_login(staff_admin)
    response = client.post(reverse("admin:places_compound_add"), {
        "community": world.home.pk, "name": "幸福里", "address": "解放大道1号"})
    assert response.status_code == 302
    compound = Compound.objects.get(name="幸福里")
    assert AuditEvent.objects.filter(action="compound.create", object_id=str(compound.pk), actor=staff_admin).exists()


def test_admin_parent_choices_are_scoped(client, world, staff_admin):
    client.force_login(staff_admin)
    response = client.post(reverse("admin:places_compound_add"), {"community": world.away.pk, "name": "越界小区"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["community"]
    assert not Compound.objects.filter(name="越界小区").exists()


def test_nothing_is_deleted_from_the_admin(client, world, staff_admin, superuser):
    for user in (staff_admin, superuser):
        client.force_login(user)
        response = client.get(reverse("admin:people_person_delete", args=[world.head.pk]))
        assert response.status_code == 403
    assert Person.objects.filter(pk=world.head.pk).exists()


def test_audit_log_in_the_admin_is_read_only_even_for_superusers(client, world, staff_admin, superuser,
                                                                   social_worker, outsider):
    event = audit_record(actor=social_worker, action="person.reveal", obj=world.head, reason="电话回访")
    audit_record(actor=outsider, action="person.reveal", obj=world.stranger, reason="外区")
    client.force_login(staff_admin)
    page = client.get(changelist("core_auditevent")).content.decode()
    assert "电话回访" in page and "外区" not in page
    for user in (staff_admin, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
        assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
        change = reverse("admin:core_auditevent_change", args=[event.pk])
        page = client.get(change).content.decode()
        assert 'name="reason"' not in page  # shown, not editable
        client.post(change, {"reason": "改掉"})
    event.refresh_from_db()
    assert event.reason == "电话回访"
