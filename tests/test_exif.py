"""Metadata stripping: GPS EXIF, XMP, IPTC, comments and PNG text never survive."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from bot.exif import UnsupportedImage, strip_metadata

XMP_NS = b"http://ns.adobe.com/xap/1.0/"
XMP_PACKET = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="6,10.5S" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="Reporter Secret Name"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def _two_colour(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue, so orientation changes are visible."""
    img = Image.new("RGB", size, (255, 0, 0))
    img.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return img


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x0131] = "Reporter Secret Name"  # Software, anything identifying
    exif[0x0112] = orientation
    exif[0x8825] = {  # GPS IFD
        1: "S",
        2: (6.0, 10.0, 30.0),
        3: "E",
        4: (106.0, 49.0, 12.0),
    }
    return exif


def _insert_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """Put raw APPn segments right after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _dirty_jpeg(orientation: int = 1) -> bytes:
    buf = io.BytesIO()
    _two_colour().save(
        buf, "JPEG", exif=_exif_with_gps(orientation).tobytes(), comment=b"secret comment"
    )
    xmp = _segment(0xE1, XMP_NS + b"\x00" + XMP_PACKET)
    iptc = _segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10"
                    b"\x1c\x02\x50\x00\x0bSecret Name")  # fmt: skip
    return _insert_segments(buf.getvalue(), xmp, iptc)


def test_jpeg_gps_exif_xmp_iptc_and_comment_are_gone():
    dirty = _dirty_jpeg()
    original = Image.open(io.BytesIO(dirty))
    assert original.getexif().get_ifd(0x8825)  # the fixture really has GPS
    assert b"GPS" in dirty or original.getexif().get_ifd(0x8825)
    assert XMP_NS in dirty and b"Photoshop 3.0" in dirty and b"secret comment" in dirty

    clean, mime = strip_metadata(dirty)
    assert mime == "image/jpeg"
    img = Image.open(io.BytesIO(clean))
    assert img.format == "JPEG"
    assert len(img.getexif()) == 0
    assert not img.getexif().get_ifd(0x8825)
    for needle in (b"GPS", b"Exif\x00\x00", XMP_NS, b"xpacket", b"Photoshop 3.0", b"8BIM",
                   b"Secret", b"secret comment", b"SecretPhone", b"PhoneMaker"):  # fmt: skip
        assert needle not in clean, needle
    # APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC) and COM markers: entropy-coded data
    # escapes 0xFF, so these pairs can only be markers
    for marker in (b"\xff\xe1", b"\xff\xe2", b"\xff\xed", b"\xff\xfe"):
        assert marker not in clean, marker
    assert "comment" not in img.info and "exif" not in img.info and "xmp" not in img.info
    assert img.size == (40, 20)


def test_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise to show it upright
    clean, _ = strip_metadata(_dirty_jpeg(orientation=6))
    img = Image.open(io.BytesIO(clean)).convert("RGB")
    assert img.size == (20, 40)
    assert len(img.getexif()) == 0
    top, bottom = img.getpixel((10, 5)), img.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # the red (left) half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_png_text_chunks_are_gone():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Reporter Secret Name")
    info.add_itxt("Description", "Lokasi rumah saya", lang="id")
    info.add_text("Comment", "secret", zip=True)
    buf = io.BytesIO()
    _two_colour().save(buf, "PNG", pnginfo=info, exif=_exif_with_gps().tobytes())
    dirty = buf.getvalue()
    assert b"Reporter Secret Name" in dirty and b"tEXt" in dirty

    clean, mime = strip_metadata(dirty)
    assert mime == "image/png"
    img = Image.open(io.BytesIO(clean))
    assert img.format == "PNG"
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in clean, chunk
    assert b"Reporter Secret Name" not in clean and b"GPS" not in clean
    assert not getattr(img, "text", {})
    assert len(img.getexif()) == 0
    assert img.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_png_palette_with_transparency_keeps_pixels():
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=0)
    clean, mime = strip_metadata(buf.getvalue())
    out = Image.open(io.BytesIO(clean)).convert("RGBA")
    assert mime == "image/png" and out.getpixel((0, 0)) == (255, 0, 0, 255)


def test_webp_exif_and_xmp_are_gone():
    buf = io.BytesIO()
    _two_colour().save(buf, "WEBP", exif=_exif_with_gps().tobytes(), xmp=XMP_PACKET)
    dirty = buf.getvalue()
    assert b"EXIF" in dirty

    clean, mime = strip_metadata(dirty)
    assert mime == "image/webp"
    img = Image.open(io.BytesIO(clean))
    assert img.format == "WEBP"
    assert len(img.getexif()) == 0
    for needle in (b"EXIF", b"XMP ", b"GPS", b"xpacket", b"Reporter Secret Name", b"ICCP"):
        assert needle not in clean, needle


def test_icc_profile_is_dropped():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    _two_colour().save(buf, "JPEG", icc_profile=profile)
    clean, _ = strip_metadata(buf.getvalue())
    assert "icc_profile" not in Image.open(io.BytesIO(clean)).info
    assert b"ICC_PROFILE" not in clean


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: Pillow reads the header without decoding anything."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_rejects_decompression_bombs_and_non_images():
    with pytest.raises(UnsupportedImage):
        strip_metadata(_png_header_only(8000, 5001))  # just over 40 megapixels
    with pytest.raises(UnsupportedImage):
        strip_metadata(_png_header_only(60000, 60000))  # past Pillow's own bomb limit
    with pytest.raises(UnsupportedImage):
        strip_metadata(b"not an image at all")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(UnsupportedImage):
        strip_metadata(gif.getvalue())
    with pytest.raises(UnsupportedImage):
        strip_metadata(_dirty_jpeg()[:200])  # truncated
