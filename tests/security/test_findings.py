"""Focused regression tests for what the access sweep found (each fails on the code before its fix)."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import Role, UserFactory, grant
from tests.records.conftest import social_work


def test_uploading_screenshots_to_a_record_out_of_scope_is_404_not_a_redirect_to_its_edit_page(
        client, world, social_worker):
    record = social_work(social_worker, None, person=world.head, submit=False)
    away = UserFactory(username="away_sw")
    grant(away, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    client.force_login(away)

    response = client.post(reverse("records:record_images", args=[record.pk]))

    assert response.status_code == 404
    assert reverse("records:record_edit", args=[record.pk]) not in response.get("Location", "")


def test_the_admins_membership_filter_lists_only_organisations_the_admin_may_see(client, world, org_admin):
    org_admin.is_staff = True
    org_admin.save()
    client.force_login(org_admin)

    response = client.get(reverse("admin:accounts_membership_changelist"))

    assert response.status_code == 200
    assert world.org.name in response.content.decode()
    assert world.other_org.name not in response.content.decode()
