"""Issue 12 item 13: a positive PHQ-9 item 9 offers C-SSRS at once (the box never covering item 9 is in
test_browser_phq9_item9.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.assessments.models import Administration

from .conftest import likert

pytestmark = pytest.mark.django_db


def test_positive_item_9_offers_cssrs_right_in_the_live_box(client, social_worker, case):
    client.force_login(social_worker)
    url = reverse("assessments:live", args=[case.pk, "phq9"])
    text = client.post(url, {"item9": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "保存并立即做 C-SSRS 自杀风险筛查" in text and 'name="then" value="cssrs"' in text
    text = client.post(url, likert([1, 1, 1, 1, 1, 1, 1, 1, 0]), HTTP_HX_REQUEST="true").content.decode()
    assert "C-SSRS 自杀风险筛查" not in text


def test_saving_with_the_offer_goes_straight_to_cssrs_and_keeps_the_phq9(client, social_worker, case):
    client.force_login(social_worker)
    response = client.post(reverse("assessments:give", args=[case.pk, "phq9"]),
                           {**likert([0, 0, 1, 0, 0, 0, 0, 0, 2]), "then": "cssrs"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:give", args=[case.pk, "cssrs"])
    saved = Administration.objects.get(case=case, scale="phq9")
    assert saved.result["item9"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "已保存PHQ-9" in page and "C-SSRS" in page
    # Without the offer's button the worker goes back to the case as before.
    response = client.post(reverse("assessments:give", args=[case.pk, "phq9"]), likert([0] * 9))
    assert response["Location"] != reverse("assessments:give", args=[case.pk, "cssrs"])

