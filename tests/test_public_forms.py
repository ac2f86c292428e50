"""Every anonymous public form refuses a POST that a page of another site made a browser send.

These forms need no cookie (they are cached, and embedded in partners'
frames), so they are exempt from Django's token check and protected by
what the browser says about the request's origin instead.
"""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

FORMS = [
    ("events:event-register", {"slug": "a-webinar"}),
    ("events:series-register", {"slug": "monthly-webinar"}),
    ("events:campaign-host", {"slug": "week-of-action"}),
    ("donations:donation-start", {"slug": "send-a-delegation"}),
    ("mailings:mailinglist-subscribe", {"slug": "alerts"}),
    ("actions:action-sign", {"slug": "an-appeal"}),
    ("letters:letter-send", {"slug": "a-letter"}),
]


@pytest.mark.parametrize(("name", "kwargs"), FORMS)
def test_a_cross_site_post_is_refused_and_a_same_site_one_goes_through(client, name, kwargs):
    with translation.override("en"):
        url = reverse(name, kwargs=kwargs)
    data = {"email": "someone@example.org"}

    forged = client.post(url, data, headers={"Sec-Fetch-Site": "cross-site"})
    old_browser = client.post(url, data, headers={"Origin": "https://evil.example"})
    same_site = client.post(url, data, headers={"Sec-Fetch-Site": "same-origin"})

    assert forged.status_code == 403
    assert old_browser.status_code == 403
    assert same_site.status_code != 403  # here a 404: none of these exists
