from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from convoca.publishing.images import ImageInvalid
from convoca.publishing.models import Image
from convoca.publishing.services import image_create
from convoca.publishing.tests.conftest import gps_jpeg


def _stored(image: Image, width: int) -> bytes:
    with default_storage.open(image.path(width)) as handle:
        return handle.read()


def _assert_no_metadata(data: bytes) -> None:
    with PILImage.open(BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        assert "comment" not in stored.info
    for marker in (b"Exif", b"GPS", b"PhoneMaker", b"Jane Protester", b"rally", b"http://ns.adobe"):
        assert marker not in data


def test_an_uploaded_photo_keeps_no_gps_position_or_other_metadata(organisation, gps_photo):
    image = image_create(organisation=organisation, upload=gps_photo, title="March in Tucson")

    assert image.widths == [480, 960, 1600]
    for width in image.widths:
        data = _stored(image, width)
        _assert_no_metadata(data)
        with PILImage.open(BytesIO(data)) as stored:
            assert stored.width == width


def test_the_original_upload_is_never_stored(organisation, gps_photo):
    image = image_create(organisation=organisation, upload=gps_photo, title="March")
    _dirs, files = default_storage.listdir(f"publishing/images/{image.pk}")
    assert sorted(files) == ["1600.jpg", "480.jpg", "960.jpg"]


def test_a_small_photo_is_not_enlarged(organisation):
    upload = SimpleUploadedFile("small.jpg", gps_jpeg(600, 400), content_type="image/jpeg")
    image = image_create(organisation=organisation, upload=upload, title="Small")
    assert image.widths == [480, 600]
    assert (image.width, image.height) == (600, 400)


def test_a_phone_photo_taken_sideways_is_stored_upright(organisation):
    # Orientation 6: the camera was turned; the pixels must be rotated, not the tag kept.
    upload = SimpleUploadedFile("turned.jpg", gps_jpeg(1200, 800, orientation=6))
    image = image_create(organisation=organisation, upload=upload, title="Turned")
    assert image.width < image.height
    _assert_no_metadata(_stored(image, image.widths[0]))


def test_a_file_that_is_not_a_photo_is_refused(organisation):
    upload = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>")
    with pytest.raises(ImageInvalid):
        image_create(organisation=organisation, upload=upload, title="Evil")
    assert not Image.objects.exists()


def test_the_featured_image_is_served_at_three_widths_with_its_description(
    client, organisation, make_article, gps_photo
):
    image = image_create(organisation=organisation, upload=gps_photo, title="March")
    make_article(slug="march", title="The march", image=image, image_alt="Marchers with banners")

    html = client.get("/en/articles/march/").text

    assert f'srcset="{image.url(480)} 480w, {image.url(960)} 960w, {image.url(1600)} 1600w"' in html
    assert 'alt="Marchers with banners"' in html
    assert f'width="960" height="{image.height_at(960)}"' in html
    assert f'<meta property="og:image" content="http://127.0.0.1:8000{image.url(1600)}">' in html


def test_an_organiser_uploads_a_photo_in_the_admin_and_its_location_is_gone(
    client, organiser, organisation, gps_photo
):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:publishing_image_add"),
        {"organisation": organisation.pk, "title": "Rally", "credit": "", "upload": gps_photo},
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.widths
    for width in image.widths:
        _assert_no_metadata(_stored(image, width))


def test_a_deleted_photo_is_no_longer_reachable(
    client, organisation, make_article, gps_photo, django_capture_on_commit_callbacks
):
    from convoca.publishing.services import image_delete

    image = image_create(organisation=organisation, upload=gps_photo, title="March")
    article = make_article(slug="with-photo", image=image, image_alt="Marchers")
    paths = [image.path(w) for w in image.widths]
    with django_capture_on_commit_callbacks(execute=True):
        image_delete(image=image)
    assert not any(default_storage.exists(path) for path in paths)
    article.refresh_from_db()
    assert article.image is None
    assert client.get("/en/articles/with-photo/").status_code == 200
