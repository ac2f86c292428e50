"""A reader of statements and the Weekly, and an organiser uploading a photo, in a real browser."""

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PILImage
from playwright.sync_api import expect

from convoca.organisations.models import Membership
from convoca.publishing.models import Article, Image, Topic, WeeklyLink
from convoca.publishing.services import (
    article_create,
    weekly_issue_create,
    weekly_issue_publish,
    weekly_link_create,
)
from convoca.publishing.tests.conftest import gps_jpeg

pytestmark = pytest.mark.e2e

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(transactional_db, organisation):
    sanctions = Topic.objects.create(slug="sanctions", name={"en": "Sanctions", "es": "Sanciones"})
    key = uuid.uuid4()
    common = {
        "translation_key": key,
        "organisation": organisation,
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=2),
        "topics": [sanctions],
        "dateline": "Tucson, AZ",
    }
    article_create(
        language="en",
        slug="end-the-sanctions",
        title="End the sanctions on Venezuela",
        standfirst="A joint statement on the human cost of the blockade.",
        body="Hospitals lack **spare parts**.",
        **common,
    )
    article_create(
        language="es",
        slug="fin-a-las-sanciones",
        title="Fin a las sanciones contra Venezuela",
        standfirst="Declaración conjunta sobre el costo humano del bloqueo.",
        body="Los hospitales no tienen **repuestos**.",
        **common,
    )
    article_create(
        language="en",
        kind=Article.Kind.NEWS,
        slug="week-of-action",
        title="A week of action in forty cities",
        body="Rallies from Tucson to Madrid.",
        organisation=organisation,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    issue = weekly_issue_create(
        organisation=organisation,
        intro={"en": "The week in links.", "es": "La semana en enlaces."},
        sections=[{"en": "Analysis", "es": "Análisis"}, {"en": "Videos", "es": "Vídeos"}],
    )
    analysis, videos = issue.sections.all()
    weekly_link_create(
        organisation=organisation,
        url="https://dailycourier.example/banks",
        title="Why exemptions fail at the bank counter",
        source="The Daily Courier",
        section=analysis,
    )
    weekly_link_create(
        organisation=organisation,
        url="https://video.example/watch?v=vigil",
        title="Tucson vigil: the opening night",
        kind=WeeklyLink.Kind.VIDEO,
        section=videos,
    )
    weekly_issue_publish(issue=issue)
    return issue


def test_a_reader_moves_between_the_english_and_spanish_versions(page, published):
    page.goto("/en/articles/end-the-sanctions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("End the sanctions on Venezuela")

    page.get_by_role("link", name="Leer en español").click()

    expect(page).to_have_url(re.compile(r"/es/articulos/fin-a-las-sanciones/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fin a las sanciones contra Venezuela"
    )
    expect(page.locator(".prose strong")).to_have_text("repuestos")
    # The header's language switch also goes to the other version, not the home page.
    page.locator(".languages").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/articles/end-the-sanctions/$"))
    page.get_by_role("link", name="Sanctions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanctions")
    page.locator(".languages").get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanciones")
    page.get_by_role("link", name="Fin a las sanciones contra Venezuela").click()
    page.get_by_role("link", name="Read in English").click()
    expect(page).to_have_url(re.compile(r"/en/articles/end-the-sanctions/$"))


def test_a_reader_reads_the_weekly_on_the_web_from_the_home_page(page, published, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/en/")

    page.get_by_role("link", name=f"The Weekly #{published.number}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"The Weekly #{published.number}")
    sections = page.get_by_role("heading", level=2)
    expect(sections).to_have_text(["Analysis", "Videos"])
    link = page.get_by_role("link", name="Why exemptions fail at the bank counter")
    expect(link).to_have_attribute("href", "https://dailycourier.example/banks")
    expect(page.get_by_text("The Daily Courier")).to_be_visible()

    page.locator(".languages").get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"El Semanal n.º {published.number}")
    expect(page.get_by_role("heading", level=2)).to_have_text(["Análisis", "Vídeos"])
    assert [url for url in requested if not url.startswith(f"{live_server.url}/")] == []


def test_a_reader_finds_an_article_through_search(page, published):
    page.goto("/en/search/")
    page.get_by_label("Search for").fill("venezuela")
    page.get_by_label("Search in").select_option("es")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    page.get_by_role("link", name="Fin a las sanciones contra Venezuela").click()
    expect(page).to_have_url(re.compile(r"/es/articulos/fin-a-las-sanciones/$"))

    page.goto("/es/buscar/?q=Venezuela")
    expect(page.get_by_role("heading", name="2 resultados")).to_be_visible()


def test_a_feed_reader_parses_the_article_and_weekly_feeds(page, published, live_server):
    page.goto("/en/articles/")
    feed_url = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute(
        "href"
    )
    response = page.request.get(feed_url)
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())  # noqa: S314 (our own feed)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "A week of action in forty cities",
        "End the sanctions on Venezuela",
    ]
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert page.request.get(link).ok
        assert entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}updated").text

    weekly = ET.fromstring(page.request.get("/es/semanal/feed/").body())  # noqa: S314
    assert weekly.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    [entry] = weekly.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith(f"El Semanal n.º {published.number}")


def test_a_photo_uploaded_by_an_organiser_carries_no_location(
    new_context, published, make_staff, organisation
):
    make_staff("photos", Membership.Role.ORGANISER, organisation)
    original = gps_jpeg()
    with PILImage.open(BytesIO(original)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry GPS
    page = new_context().new_page()
    page.goto("/admin/login/?next=/admin/publishing/image/add/")
    page.locator("#id_username").fill("photos")
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/publishing/image/add/$"))

    page.locator("#id_organisation").select_option(str(organisation.pk))
    page.locator("#id_title").fill("Vigil in Tucson")
    page.locator("#id_upload").set_input_files(
        files=[{"name": "vigil.jpg", "mimeType": "image/jpeg", "buffer": original}]
    )
    page.locator('button[name="_save"], input[name="_save"]').first.click()
    page.wait_for_url(re.compile(r"/admin/publishing/image/$"))

    image = Image.objects.get(title="Vigil in Tucson")
    assert image.widths == [480, 960, 1600]
    for width in image.widths:
        response = page.request.get(image.url(width))
        assert response.ok
        served = response.body()
        with PILImage.open(BytesIO(served)) as stored:
            assert stored.width == width
            assert not stored.getexif()
            assert "exif" not in stored.info
        assert b"GPS" not in served and b"Exif" not in served and b"Jane Protester" not in served
