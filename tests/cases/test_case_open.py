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
