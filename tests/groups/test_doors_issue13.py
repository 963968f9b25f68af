import pytest
from django.urls import reverse

HUGE = 2**70

@pytest.mark.parametrize("name,args,method", [
    ("groups:alert_verdict", [HUGE], "post"),
    ("groups:message_missed", [HUGE, HUGE], "get"),
    ("groups:message_missed", [HUGE, HUGE], "post"),
    ("groups:message_action", [HUGE, HUGE, "debunk"], "post"),
])
def test_huge_ids_are_404(client, social_worker, name, args, method):
    client.force_login(social_worker)
    r = getattr(client, method)(reverse(name, args=args), {"kind": "true_risk"})
    assert r.status_code == 404, r.status_code
