"""Regenerate the raster icon corpus: python tests/icon_corpus/make_rasters.py

Every file is small and deterministic. The tests in tests/test_icons.py say
what each file must produce; keep the two in step when adding files.
"""

import gzip
import hashlib
import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parent / "raster"
SIZE = (32, 32)
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
HTML_PAYLOAD = b"<html><body><script>alert(document.domain)</script></body></html>"
ORIENTATION_TAG = 0x0112


def noise(length, seed=b"icon-corpus"):
    """Deterministic incompressible bytes (no RNG: the corpus must not change between runs)."""
    return hashlib.shake_256(seed).digest(length)


def encode(image, fmt, **options):
    out = BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def quadrants(mode="RGB", colours=(RED, GREEN, BLUE, WHITE)):
    """A 32×32 image with four 16×16 blocks, so rotations and flips are visible."""
    image = Image.new(mode, SIZE)
    for (x, y), colour in zip(((0, 0), (16, 0), (0, 16), (16, 16)), colours, strict=True):
        image.paste(colour, (x, y, x + 16, y + 16))
    return image


def noisy_rgb(size=SIZE, seed=b"noise"):
    return Image.frombytes("RGB", size, noise(size[0] * size[1] * 3, seed))


def png_chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png():
    """A PNG header declaring 100000×100000 pixels, with a tiny IDAT."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def png_with_text_chunks():
    plain = encode(quadrants(), "PNG")
    iend = plain.rindex(b"IEND") - 4
    extra = (
        png_chunk(b"tEXt", b"Comment\x00" + HTML_PAYLOAD)
        + png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(HTML_PAYLOAD))
        + png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + HTML_PAYLOAD)
    )
    return plain[:iend] + extra + plain[iend:]


def jpeg_with_comment():
    plain = encode(quadrants(), "JPEG", quality=95)
    comment = b"\xff\xfe" + struct.pack(">H", len(HTML_PAYLOAD) + 2) + HTML_PAYLOAD
    return plain[:2] + comment + plain[2:]


def zip_payload():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # A fixed timestamp keeps the file identical from one run to the next.
        archive.writestr(zipfile.ZipInfo("index.html", date_time=(2024, 1, 1, 0, 0, 0)), HTML_PAYLOAD)
    return out.getvalue()


def animated_png():
    frames = [Image.new("RGB", SIZE, RED), Image.new("RGB", SIZE, BLUE)]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_with_transparency():
    """Left half index 0 (fully transparent), right half index 1 (opaque red)."""
    image = Image.new("P", SIZE, 0)
    image.putpalette([0, 0, 0, *RED] + [0] * (256 - 2) * 3)
    image.paste(1, (16, 0, 32, 32))
    return encode(image, "PNG", transparency=0)


def exif_rotated_jpeg():
    """Stored with red at top-left; orientation 6 means "rotate 90° clockwise to display"."""
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    return encode(quadrants(), "JPEG", quality=95, exif=exif)


def too_large_png():
    """A valid 32×32 PNG padded past 64 KiB with an ancillary chunk."""
    plain = encode(quadrants(), "PNG")
    iend = plain.rindex(b"IEND") - 4
    return plain[:iend] + png_chunk(b"teXt", noise(66 * 1024)) + plain[iend:]


def corpus():
    rgb_png = encode(quadrants(), "PNG")
    rgb_jpeg = encode(quadrants(), "JPEG", quality=95)
    return {
        # Refused.
        "empty.png": b"",
        "bomb_header.png": bomb_png(),
        "html_named.png": HTML_PAYLOAD,
        "truncated.png": encode(noisy_rgb(), "PNG")[:1500],
        "png_signature_garbage.png": b"\x89PNG\r\n\x1a\n" + noise(200),
        "jpeg_signature_only.jpg": b"\xff\xd8\xff",
        "animated.png": animated_png(),
        "image.gif": encode(quadrants(), "GIF"),
        "image.webp": encode(quadrants(), "WEBP", lossless=True),
        "image.bmp": encode(quadrants(), "BMP"),
        "image.tiff": encode(quadrants(), "TIFF"),
        "icon.svgz": gzip.compress(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"/>', mtime=0
        ),
        "size_31x32.png": encode(Image.new("RGB", (31, 32), RED), "PNG"),
        "size_32x33.png": encode(Image.new("RGB", (32, 33), RED), "PNG"),
        "size_33x32.jpg": encode(Image.new("RGB", (33, 32), RED), "JPEG"),
        "too_large.png": too_large_png(),
        # Accepted, and reduced to their pixels.
        "png_html_polyglot.png": rgb_png + HTML_PAYLOAD,
        "jpeg_zip_polyglot.jpg": rgb_jpeg + zip_payload(),
        "png_text_chunks.png": png_with_text_chunks(),
        "jpeg_comment.jpg": jpeg_with_comment(),
        "rgb.png": rgb_png,
        "rgb.jpg": rgb_jpeg,
        "rgba.png": encode(quadrants("RGBA", ((*RED, 255), (*GREEN, 128), (*BLUE, 0), (*WHITE, 255))), "PNG"),
        "grey16.png": encode(Image.new("I;16", SIZE, 100 * 257), "PNG"),
        "cmyk.jpg": encode(Image.new("CMYK", SIZE, (255, 0, 0, 0)), "JPEG", quality=95),
        "palette_transparent.png": palette_with_transparency(),
        "exif_rotated.jpg": exif_rotated_jpeg(),
        "la.png": encode(Image.new("LA", SIZE, (200, 128)), "PNG"),
    }


def main():
    OUT.mkdir(exist_ok=True)
    for name, data in corpus().items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
