"""The one access gate: the registry of scope parts, one Scope per user object, the page decorator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from sanshe.core import gate
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.people.models import Person
from sanshe.people.selectors import access_person
from tests.factories import Role, grant


def _request(user, path: str = "/x/1/", **headers):
    request = RequestFactory().get(path, **headers)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = user
    return request


@gate.page("people.view", objects={"person_id": Person})
def person_page(request, person):
    return HttpResponse(person.name)


@gate.page("people.view", objects={"person_id": access_person})
def person_page_by_access(request, person):
    return HttpResponse(person.name)


@gate.page("records.use", not_found_for=lambda user: True)
def hidden_page(request, record_id):
    return HttpResponse("record")


@gate.page(login=False, private=True)
def personal_link(request, token):
    return HttpResponse("yours")


@gate.page(json_paths=("/send/",))
def script_endpoint(request):
    return HttpResponse("ok")


# ------------------------------------------------------------------------------------------------ registry

def test_every_feature_contributes_its_part():
    parts = gate.registry()
    assert {"accounts", "monitoring", "cases", "crisis", "records", "rosters", "volunteers", "knowledge"} <= set(parts)
    assert gate.part_for("monitoring.view").name == "monitoring"
    assert gate.part_for("people.view").name == "accounts"
    assert gate.part_for("records.use").name == "records"
    assert gate.part_for("nobody.answers.this") is None


@pytest.mark.django_db
def test_a_capability_nobody_answers_is_held_by_nobody(social_worker):
    assert not gate.can(social_worker, "nobody.answers.this")
    with pytest.raises(ActionForbidden):
        gate.require(social_worker, "nobody.answers.this")


@pytest.mark.django_db
def test_capabilities_by_role(social_worker, community_worker, resident):
    assert gate.can(social_worker, "cases.manage", "monitoring.view", "people.view", "crisis.pages")
    assert gate.can(community_worker, "monitoring.record")
    assert not gate.can(community_worker, "cases.manage")
    assert not gate.can(community_worker, "crisis.open")
    assert not gate.can(resident, "people.view", "cases.refer", "knowledge.library")
    assert not gate.can(AnonymousUser(), "people.view")


@pytest.mark.django_db
def test_a_denial_carries_the_parts_reason(resident):
    with pytest.raises(ActionForbidden, match="资源库只对工作人员开放"):
        gate.require(resident, "knowledge.library")


@pytest.mark.django_db
def test_one_scope_per_user_object_each_part_built_once(social_worker, django_assert_num_queries):
    scope = gate.scope_for(social_worker)
    assert gate.scope_for(social_worker) is scope
    assert scope.can("monitoring.view")
    with django_assert_num_queries(0):
        assert scope.can("monitoring.record")
        assert scope.part("monitoring") is scope.part("monitoring")
        assert scope.directory.roles == {Role.SOCIAL_WORKER}


@pytest.mark.django_db
def test_forgetting_the_scope_sees_a_new_role(world, community_worker):
    assert not gate.can(community_worker, "cases.manage")
    grant(community_worker, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    gate.forget_scope(community_worker)
    assert gate.can(community_worker, "cases.manage")


# --------------------------------------------------------------------------------------------- page gate

@pytest.mark.django_db
def test_anonymous_is_sent_to_login():
    response = person_page(_request(AnonymousUser()), person_id=1)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_anonymous_fragment_and_script_requests():
    htmx = person_page(_request(AnonymousUser(), HTTP_HX_REQUEST="true"), person_id=1)
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/accounts/login/")
    script = person_page(_request(AnonymousUser(), HTTP_ACCEPT="application/json"), person_id=1)
    assert script.status_code == 401
    assert script_endpoint(_request(AnonymousUser(), "/g/1/send/")).status_code == 401


@pytest.mark.django_db
def test_wrong_role_is_403(world, resident):
    with pytest.raises(ActionForbidden):
        person_page(_request(resident), person_id=world.head.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("view", [person_page, person_page_by_access])
def test_in_scope_object_is_resolved_and_out_of_scope_is_404(world, social_worker, view):
    response = view(_request(social_worker), person_id=world.head.pk)
    assert response.status_code == 200 and response.content.decode() == world.head.name
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    with pytest.raises(ObjectNotFound):
        view(_request(social_worker), person_id=world.stranger.pk)  # another community's person
    with pytest.raises(ObjectNotFound):
        view(_request(social_worker), person_id=10**9)  # no such person: the same answer


@pytest.mark.django_db
def test_a_role_that_could_hold_the_object_gets_404_not_403(community_worker):
    with pytest.raises(ObjectNotFound):
        hidden_page(_request(community_worker), record_id=1)


def test_a_personal_link_needs_no_login_and_leaks_nothing():
    response = personal_link(_request(AnonymousUser()), token="t")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


# --------------------------------------------------------------------------------- real pages, same gate

@pytest.mark.django_db
def test_feature_pages_answer_through_the_gate(client, world, resident, social_worker):
    from django.urls import reverse

    url = reverse("crisis:list")
    assert client.get(url).status_code == 302
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(social_worker)
    assert client.get(url).status_code == 200


# Views that answer without the gate on purpose: the health check, the login forms, the public FAQ, a group's
# invite link (it sends an anonymous visitor to log in itself), and Django admin's own password form.
UNGATED = {"core:healthz", "accounts:login", "accounts:otp_login", "knowledge:faq", "groups:join",
           "admin:auth_user_password_change",
           # a permanent redirect of the household sheet's old addresses to its new ones, which are gated
           "people:household_sheet_moved"}


def test_every_sanshe_page_goes_through_the_gate():
    """A new page view cannot forget the gate: every Sanshe view is wrapped by `gate.page` (or listed above)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern):
                yield f"{namespace}:{entry.name}" if namespace else entry.name, entry.callback

    ungated = sorted(name for name, view in walk(get_resolver())
                     if getattr(view, "__module__", "").startswith("sanshe.") and not hasattr(view, "gate")
                     and name not in UNGATED)
    assert ungated == []
