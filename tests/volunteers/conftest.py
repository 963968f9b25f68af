import pytest

from sanshe.accounts.sms import MemorySmsBackend
from sanshe.volunteers import services
from sanshe.volunteers.seed import seed_guide_defaults
from tests.browser.conftest import browser, demo_street, phone_page, problems  # noqa: F401 (browser fixtures)
from tests.volunteers.helpers import make_reviewer, volunteer_org


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Certificates land in a throwaway MEDIA_ROOT; SMS go to memory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return tmp_path / "media"


@pytest.fixture
def vol_org(world):
    seed_guide_defaults()  # a transactional test's flush removes what the data migration wrote
    return volunteer_org(world)


@pytest.fixture
def recruitment(vol_org, social_worker, world):
    # The social worker also works for the volunteer organisation (reviewers approve only into their own).
    make_reviewer(social_worker, vol_org, [world.home])
    return services.recruitment_create(actor=social_worker, organisation_id=vol_org.pk, title="抗疫志愿者招募")
