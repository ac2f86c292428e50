"""Photos re-encoded at a few widths from their pixels alone: no EXIF, no GPS, no XMP."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

#: The widths kept (never wider than the upload): a phone, an article column, a wide screen.
WIDTHS = (480, 960, 1600)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class ImageInvalid(ValueError):
    """The upload is not a photo we can read."""


@dataclass(frozen=True)
class Renditions:
    width: int
    height: int
    files: dict[int, bytes]


def image_renditions(upload, *, widths: tuple[int, ...] = WIDTHS) -> Renditions:
    """Decode an upload and make one clean JPEG per width.

    The pixels are copied into a new image, so nothing of the file but the
    picture survives: the EXIF block with its GPS position, XMP, IPTC,
    comments, embedded thumbnails and colour profiles. The orientation tag
    is applied first, so a phone photo stays upright.
    """
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise ImageInvalid("the file is larger than 20 MB")
    try:
        upload.seek(0)
        with PILImage.open(upload) as original:
            if original.format not in ACCEPTED_FORMATS:
                raise ImageInvalid(f"unsupported format {original.format}")
            upright = ImageOps.exif_transpose(original)
            if upright.mode in ("RGBA", "LA", "P"):
                upright = upright.convert("RGBA")
                flat = PILImage.new("RGB", upright.size, (255, 255, 255))
                flat.paste(upright, mask=upright.getchannel("A"))
            else:
                flat = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError) as exc:
        raise ImageInvalid(str(exc)) from exc
    full_width, full_height = flat.size
    kept = sorted({min(w, full_width) for w in widths})
    files = {}
    for width in kept:
        height = max(1, round(full_height * width / full_width))
        resized = flat if width == full_width else flat.resize((width, height), PILImage.LANCZOS)
        clean = PILImage.new("RGB", resized.size)
        clean.paste(resized)
        buffer = BytesIO()
        clean.save(buffer, format="JPEG", quality=80, optimize=True, progressive=True)
        files[width] = buffer.getvalue()
    return Renditions(
        width=kept[-1], height=round(full_height * kept[-1] / full_width), files=files
    )
