"""Writes about organisations and their staff."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from convoca.coalition.models import Membership, Organisation

LOGO_MAX_SIZE = (512, 512)


def organisation_logo_clean(*, organisation: Organisation) -> None:
    """Re-encode an uploaded logo as PNG, at most 512 px, with no metadata.

    Re-encoding drops EXIF (GPS position, camera, author) and anything a
    crafted file carries beyond its pixels.
    """
    upload = organisation.logo
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(LOGO_MAX_SIZE)
        clean = Image.new(image.mode if image.mode in ("RGB", "RGBA") else "RGBA", image.size)
        clean.paste(image.convert(clean.mode))
        buffer = BytesIO()
        clean.save(buffer, format="PNG", optimize=True)
    organisation.logo.save(f"{organisation.slug}.png", ContentFile(buffer.getvalue()), save=False)


def staff_member_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: str,
    organisation: Organisation | None = None,
):
    """Create a staff account with its role; return the user.

    A coordinator gets no organisation; an organiser or viewer gets one.
    Without a password the account cannot log in until one is set.
    """
    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=True)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        membership = Membership(
            user=user,
            organisation=None if role == Membership.Role.COORDINATOR else organisation,
            role=role,
        )
        membership.full_clean()
        membership.save()
    return user
