"""Uploaded images, re-encoded so that nothing but their pixels is kept."""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError


class ImageInvalid(ValueError):
    """The upload is not an image we can read."""


def image_clean(upload, *, max_size: tuple[int, int] = (512, 512)) -> ContentFile:
    """Re-encode an upload as PNG within ``max_size``, without metadata.

    Re-encoding drops EXIF (GPS position, camera, author) and anything a
    crafted file carries beyond its pixels.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(max_size)
            mode = image.mode if image.mode in ("RGB", "RGBA") else "RGBA"
            clean = Image.new(mode, image.size)
            clean.paste(image.convert(mode))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageInvalid(str(exc)) from exc
    buffer = BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())
