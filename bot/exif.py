"""Strip identifying metadata (EXIF/GPS, XMP, IPTC, ICC, text chunks) from evidence images."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
JPEG_QUALITY = 95
_OUTPUT = {  # input format -> (Pillow format, mime type); HEIF becomes JPEG (no HEIF encoder)
    "JPEG": ("JPEG", "image/jpeg"),
    "MPO": ("JPEG", "image/jpeg"),  # phones write multi-picture JPEGs; keep the first frame
    "PNG": ("PNG", "image/png"),
    "WEBP": ("WEBP", "image/webp"),
    "HEIF": ("JPEG", "image/jpeg"),
}


class UnsupportedImage(ValueError):
    """The bytes are not an image we can safely re-encode (format, size or corruption)."""


def _to_srgb(img: Image.Image) -> Image.Image:
    """Convert pixels to sRGB before the ICC profile is dropped, so colours survive."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA"):
        return img
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(img, src, dst, outputMode=img.mode)
        return converted if converted is not None else img
    except Exception:  # a broken profile only costs colour accuracy, never the evidence
        return img


def _pixels_only(img: Image.Image, out_format: str) -> Image.Image:
    """A brand-new image holding only the pixels: no info dict, no EXIF, no palette tricks."""
    if img.mode == "P" or img.mode == "PA":
        img = img.convert("RGBA" if "transparency" in img.info or img.mode == "PA" else "RGB")
    if out_format == "JPEG" and img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    if out_format == "WEBP" and img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.mode else "RGB")
    if out_format == "PNG" and img.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.mode else "RGB")
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    return clean


def strip_metadata(data: bytes) -> tuple[bytes, str]:
    """Re-encode an image's upright pixels without metadata; return (bytes, mime type)."""
    with warnings.catch_warnings():
        # Pillow's own bomb check warns first; we want an exception, and our lower limit
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
            raise UnsupportedImage("not a readable image") from exc
        except Image.DecompressionBombWarning as exc:
            raise UnsupportedImage("image too large") from exc
        with img:
            fmt = (img.format or "").upper()
            if fmt not in _OUTPUT:
                raise UnsupportedImage(f"unsupported image format {fmt or 'unknown'}")
            width, height = img.size
            if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                raise UnsupportedImage("image too large")
            out_format, mime = _OUTPUT[fmt]
            try:
                img.seek(0)  # animations and multi-picture files: the first frame only
                img.load()
                upright = ImageOps.exif_transpose(img)  # apply Orientation before EXIF goes
                upright = _to_srgb(upright)
                clean = _pixels_only(upright, out_format)
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
                raise UnsupportedImage("corrupt image") from exc
    out = io.BytesIO()
    if out_format == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif out_format == "PNG":
        clean.save(out, "PNG", optimize=False)
    else:
        clean.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
    return out.getvalue(), mime
