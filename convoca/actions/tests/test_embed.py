import html
import re

import pytest
from django.core import mail

from convoca.actions.models import Action, Signature

EMBED = "/en/actions/lift-the-sanctions/embed/"
EMBED_SIGN = EMBED + "sign/"
PAGE_URL = "http://testserver/en/actions/lift-the-sanctions/"


def _frame_ancestors(response) -> str:
    [directive] = [
        d.strip()
        for d in response["Content-Security-Policy"].split(";")
        if d.strip().startswith("frame-ancestors")
    ]
    return directive


def _assert_frameable(response):
    assert "X-Frame-Options" not in response
    assert _frame_ancestors(response) == "frame-ancestors https: http:"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _hidden_source(response) -> str:
    return re.search(r'name="source" value="([^"]*)"', response.text).group(1)


@pytest.fixture
def sign_embedded(client, django_capture_on_commit_callbacks):
    """POST through the frame; what the request leaves for after its commit runs too."""

    def post(source="", **fields):
        data = {
            "given_name": "Ana",
            "email": "ana@example.org",
            "country": "MX",
            "source": source,
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(EMBED_SIGN, data)

    return post


def test_the_embed_page_may_be_framed_by_other_sites_and_the_action_page_may_not(client, appeal):
    embed = client.get(EMBED)
    assert embed.status_code == 200
    _assert_frameable(embed)
    assert "Lift the sanctions" in embed.text
    assert 'class="site-header"' not in embed.text
    assert '<progress id="goal-bar" max="100" value="0">' in embed.text

    page = client.get(appeal.get_absolute_url())
    assert _frame_ancestors(page) == "frame-ancestors 'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_a_cached_embed_page_is_still_frameable(client, appeal, settings):
    settings.CONVOCA_PAGE_CACHE_SECONDS = 60
    client.get(EMBED)
    again = client.get(EMBED)
    _assert_frameable(again)


def test_the_frame_ancestors_can_be_limited_to_partners(client, appeal, settings):
    settings.CONVOCA_EMBED_FRAME_ANCESTORS = ["https://partner.example"]
    assert _frame_ancestors(client.get(EMBED)) == "frame-ancestors https://partner.example"


def test_the_embed_form_posts_inside_the_frame_and_carries_no_csrf_token(client, appeal):
    embed = client.get(EMBED)
    assert f'action="{EMBED_SIGN}" target="_self"' in embed.text
    assert "csrfmiddlewaretoken" not in embed.text
    assert "csrftoken" not in embed.cookies


def test_the_embed_form_carries_the_partner_source_code(client, appeal):
    assert _hidden_source(client.get(EMBED + "?source=union-42")) == "union-42"


def test_a_hostile_source_is_dropped(client, appeal):
    response = client.get(EMBED, {"source": '"><script>alert(1)</script>'})
    assert _hidden_source(response) == ""
    assert "<script>alert" not in response.text


def test_signing_in_the_frame_stores_the_source_and_thanks_in_the_frame(
    client, appeal, sign_embedded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_embedded(source="union-42")
    assert response.status_code == 302
    assert response["Location"] == EMBED + "thanks/"
    _assert_frameable(response)
    signature = Signature.objects.get()
    assert signature.source == "union-42"
    assert len(mail.outbox) == 1

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    _assert_frameable(thanks)
    assert "we have sent you an email" in thanks.text
    assert PAGE_URL in thanks.text  # the address to share is the action page's


def test_a_hostile_source_posted_through_the_frame_is_not_stored(appeal, sign_embedded):
    sign_embedded(source='"><script>')
    assert Signature.objects.get().source == ""


def test_a_mistake_is_shown_in_the_frame_with_the_source_kept(appeal, sign_embedded):
    response = sign_embedded(source="union-42", email="not an address")
    assert response.status_code == 400
    _assert_frameable(response)
    assert "Please enter a valid email address" in response.text
    assert _hidden_source(response) == "union-42"
    assert f'action="{EMBED_SIGN}"' in response.text  # the next try stays in the frame
    assert not Signature.objects.exists()


def test_a_closed_action_shows_no_form_in_the_frame(client, make_action, sign_embedded):
    make_action(status=Action.Status.CLOSED)
    page = client.get(EMBED)
    assert page.status_code == 200
    assert "This action is closed" in page.text
    assert "<form" not in page.text


def test_too_many_attempts_are_answered_in_the_frame(appeal, sign_embedded, settings):
    settings.CONVOCA_RATE_LIMITS = {
        scope: {"per_client": (1, 3600), "per_email": (5, 3600)}
        for scope in ("sign", "sign-without-pow")
    }
    sign_embedded(email="a@example.org")
    response = sign_embedded(email="b@example.org")
    assert response.status_code == 429
    _assert_frameable(response)
    assert "too many times" in response.text
    assert 'class="site-header"' not in response.text


def test_the_action_page_links_to_its_oembed(client, appeal):
    page = client.get(appeal.get_absolute_url() + "?source=union-42")
    link = re.search(r'type="application/json\+oembed" href="([^"]+)"', page.text)
    href = html.unescape(link.group(1))
    assert href.startswith("http://testserver/en/oembed/?url=http%3A%2F%2Ftestserver%2Fen%2F")
    oembed = client.get(href.removeprefix("http://testserver"))
    assert oembed.status_code == 200
    assert EMBED + "?source=union-42" in oembed.json()["html"]


def test_oembed_describes_a_frame_showing_the_embed_page(client, appeal):
    response = client.get("/en/oembed/", {"url": PAGE_URL})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["provider_name"] == "Convoca"
    assert data["title"] == "Lift the sanctions"
    assert (data["width"], data["height"]) == (560, 640)
    assert data["html"] == (
        f'<iframe src="http://testserver{EMBED}" title="Lift the sanctions" width="560" '
        'height="640" loading="lazy" frameborder="0"></iframe>'
    )


def test_oembed_honours_the_largest_size_the_consumer_allows(client, appeal):
    data = client.get("/en/oembed/", {"url": PAGE_URL, "maxwidth": "300", "maxheight": "x"}).json()
    assert (data["width"], data["height"]) == (300, 640)
    assert 'width="300"' in data["html"]


def test_oembed_finds_an_action_in_another_language(client, appeal, make_action):
    make_action(
        language="es",
        slug="levanten-las-sanciones",
        title="Levanten las sanciones",
        translation_key=appeal.translation_key,
    )
    spanish_page = "http://testserver" + Action.objects.get(language="es").get_absolute_url()
    data = client.get("/en/oembed/", {"url": spanish_page}).json()
    assert data["title"] == "Levanten las sanciones"
    assert 'src="http://testserver/es/' in data["html"]


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/en/actions/lift-the-sanctions/",
        "http://user@testserver/en/actions/lift-the-sanctions/",
        "javascript://testserver/en/actions/lift-the-sanctions/",
        "http://testserver/en/actions/no-such-action/",
        "http://testserver/en/actions/",
        "http://[::1",
        "",
    ],
)
def test_oembed_knows_only_this_sites_actions(client, appeal, url):
    response = client.get("/en/oembed/", {"url": url})
    assert response.status_code == 404
    assert response.json() == {"error": "no action at this address"}


def test_oembed_ignores_draft_actions(client, make_action):
    make_action(status=Action.Status.DRAFT)
    assert client.get("/en/oembed/", {"url": PAGE_URL}).status_code == 404


def test_oembed_answers_only_in_json(client, appeal):
    assert client.get("/en/oembed/", {"url": PAGE_URL, "format": "xml"}).status_code == 501


def test_oembed_never_reflects_what_it_is_given(client, make_action):
    make_action(title='Stop <script>alert("x")</script> & more')
    hostile = PAGE_URL + '?source="><script>alert(1)</script>'
    response = client.get(
        "/en/oembed/", {"url": hostile, "maxwidth": '"><script>', "callback": "<script>"}
    )
    data = response.json()
    assert "<script>" not in data["html"]
    escaped = "Stop &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"
    assert f'title="{escaped}"' in data["html"]
    assert data["html"].startswith(f'<iframe src="http://testserver{EMBED}" ')
    assert "alert(1)" not in response.text

    unknown = client.get("/en/oembed/", {"url": "http://testserver/<script>alert(1)</script>"})
    assert unknown.status_code == 404
    assert "<script>" not in unknown.text
