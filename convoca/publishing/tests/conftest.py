import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PILImage

from convoca.publishing.models import Article
from convoca.publishing.services import article_create


@pytest.fixture
def make_article(organisation):
    """Create a published article through the service (override any field)."""

    def make(**fields):
        defaults = {
            "language": "en",
            "kind": Article.Kind.STATEMENT,
            "title": "A statement",
            "slug": f"statement-{uuid.uuid4().hex[:8]}",
            "body": "Text.",
            "organisation": organisation,
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
        }
        return article_create(**{**defaults, **fields})

    return make


def gps_jpeg(width=2000, height=1200, *, orientation=None) -> bytes:
    """A JPEG carrying a GPS position (Tucson), a camera and an author, as phones write them."""
    image = PILImage.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 50):
        image.paste((30, 30, 200), (x, 0, x + 10, height))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Artist] = "Jane Protester"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (32.0, 13.0, 18.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 55.0, 35.0)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"taken at the rally")
    return buffer.getvalue()


@pytest.fixture
def gps_photo():
    data = gps_jpeg()
    # The fixture is only meaningful if the GPS position is really in it.
    with PILImage.open(BytesIO(data)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return SimpleUploadedFile("rally.jpg", data, content_type="image/jpeg")
