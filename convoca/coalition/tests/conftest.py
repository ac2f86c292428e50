from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from convoca.coalition.models import WorkingGroup
from convoca.coalition.services import working_group_member_add
from convoca.coalition.tests.helpers import working_group_make
from convoca.people.services import PersonData, person_upsert


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a call leaves for after its transaction (the emails)."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def logo_with_gps():
    """A JPEG logo whose EXIF says where it was taken."""
    image = Image.new("RGB", (800, 400), "red")
    exif = Image.Exif()
    exif[0x010E] = "secret meeting place"  # ImageDescription
    exif[0x8825] = {2: (19.0, 26.0, 0.0)}  # GPSInfo: latitude
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def make_group(db):
    def make(**fields):
        defaults = {
            "slug": "sanctions",
            "name_en": "Sanctions campaign",
            "name_es": "Campaña contra las sanciones",
            "purpose_en": "Documents the human cost of sanctions.",
            "purpose_es": "Documenta el costo humano de las sanciones.",
            "joining": WorkingGroup.Joining.OPEN,
        }
        return working_group_make(**{**defaults, **fields})

    return make


@pytest.fixture
def make_convener(db):
    def make(group, email="carla@example.org", public_name="Carla M."):
        person = person_upsert(data=PersonData(email=email, given_name="Carla")).person
        return working_group_member_add(
            group=group, person=person, role="convener", public_name=public_name
        )

    return make
