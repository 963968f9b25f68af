import pytest

from sanshe.cases.selectors import access_case
from sanshe.cases.services import case_open
from sanshe.core.errors import ObjectNotFound

pytestmark = pytest.mark.django_db


def test_case_open(social_worker, outsider, world):
    person = world.head
    case = case_open(actor=social_worker, person_id=person.pk)
    assert case.number.endswith(f"{case.pk:06d}")
    assert case_open(actor=social_worker, person_id=person.pk).pk == case.pk
    assert access_case(actor=social_worker, id=case.pk).pk == case.pk
    with pytest.raises(ObjectNotFound):
        access_case(actor=outsider, id=case.pk)


def test_case_mark_crisis_is_the_crisis_features_way_in(social_worker, away_social_worker, world):
    """The crisis feature marks a case through this service: immediate urgency, and only a case the actor may
    change (another community's social worker gets a 404 and the case is left as it was)."""
    from django.utils import timezone

    from sanshe.cases.models import Case
    from sanshe.cases.services import case_mark_crisis

    case = case_open(actor=social_worker, person_id=world.head.pk)
    with pytest.raises(ObjectNotFound):
        case_mark_crisis(actor=away_social_worker, case=case, now=timezone.now())
    stored = Case.objects.get(pk=case.pk)
    assert not stored.is_crisis and stored.urgency == "routine"
    marked = case_mark_crisis(actor=social_worker, case=case, now=timezone.now())
    assert marked is case and case.is_crisis and case.urgency == "immediate" and case.urgency_rank == 3
    stored = Case.objects.get(pk=case.pk)
    assert stored.is_crisis and stored.urgency == "immediate" and stored.urgency_rank == 3
