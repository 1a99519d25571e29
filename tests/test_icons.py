"""Tests for the icon pipeline (oauth_apps/icons.py) and its upload handler.

The corpus lives in tests/icon_corpus/: hand-written SVGs, and rasters made by
make_rasters.py. No Django settings are needed: error messages stay lazy and
the tests only look at `code`.
"""

import struct
from io import BytesIO
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from py_svg_hush import filter_svg

from oauth_apps import icons
from oauth_apps.icons import ICON_SIZE, MAX_ICON_BYTES, CleanIcon, clean_icon
from oauth_apps.uploads import IconUploadHandler

CORPUS = Path(__file__).resolve().parent / "icon_corpus"
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

HOSTILE_SVG = {
    "anchor_javascript.svg": "svg_unsafe",
    "anchor_same_document.svg": "svg_unsafe",
    "animate_color.svg": "svg_unsafe",
    "animate_href.svg": "svg_unsafe",
    "animate_motion.svg": "svg_unsafe",
    "animate_transform.svg": "svg_unsafe",
    "attlist_default_onload.svg": "svg_forbidden_xml",
    "billion_laughs.svg": "svg_forbidden_xml",
    "css_backslash_escape.svg": "svg_unsafe",
    "css_expression.svg": "svg_unsafe",
    "css_font_face.svg": "svg_unsafe",
    "css_image_set.svg": "svg_unsafe",
    "css_import.svg": "svg_unsafe",
    "css_javascript.svg": "svg_unsafe",
    "css_protocol_relative.svg": "svg_unsafe",
    "css_url_data_uri.svg": "svg_unsafe",
    "css_url_external_attribute.svg": "svg_unsafe",
    "css_url_style_element.svg": "svg_unsafe",
    "deep_nesting.svg": "svg_too_complex",
    "embed_element.svg": "svg_unsafe",
    "external_dtd.svg": "svg_forbidden_xml",
    "external_dtd_spoofed_public_id.svg": "svg_forbidden_xml",
    "feimage_external.svg": "svg_unsafe",
    "foreign_object.svg": "svg_unsafe",
    "handler_element.svg": "svg_unsafe",
    "href_char_reference.svg": "svg_unsafe",
    "href_leading_space.svg": "svg_unsafe",
    "html_root.svg": "svg_malformed",
    "huge_dimensions.svg": "icon_dimensions",
    "iframe_svg_namespace.svg": "svg_unsafe",
    "image_data_uri.svg": "svg_unsafe",
    "image_external.svg": "svg_unsafe",
    "internal_entity_markup.svg": "svg_forbidden_xml",
    "invalid_utf8.svg": "svg_encoding",
    "latin1.svg": "svg_encoding",
    "no_namespace.svg": "svg_malformed",
    "not_well_formed.svg": "svg_malformed",
    "object_element.svg": "svg_unsafe",
    "onclick_rect.svg": "svg_unsafe",
    "onfocusin_group.svg": "svg_unsafe",
    "onload_root.svg": "svg_unsafe",
    "onmouseover_uppercase.svg": "svg_unsafe",
    "script_cdata.svg": "svg_unsafe",
    "script_element.svg": "svg_unsafe",
    "script_prefixed.svg": "svg_unsafe",
    "script_uppercase.svg": "svg_unsafe",
    "set_href.svg": "svg_unsafe",
    "size_em.svg": "icon_dimensions",
    "size_missing.svg": "icon_dimensions",
    "size_mm.svg": "icon_dimensions",
    "size_percent.svg": "icon_dimensions",
    "too_many_elements.svg": "svg_too_complex",
    "use_external.svg": "svg_unsafe",
    "use_javascript_href.svg": "svg_unsafe",
    "use_relative.svg": "svg_unsafe",
    "use_xlink_data_uri.svg": "svg_unsafe",
    "utf16_bom.svg": "svg_encoding",
    "utf16_no_bom.svg": "svg_encoding",
    "viewbox_offset.svg": "icon_dimensions",
    "viewbox_wrong.svg": "icon_dimensions",
    "wrong_namespace.svg": "svg_malformed",
    "xhtml_prefixed_iframe.svg": "svg_unsafe",
    "xhtml_script.svg": "svg_unsafe",
    "xhtml_with_svg_comment.svg": "svg_malformed",
    "xinclude.svg": "svg_forbidden_xml",
    "xml_base.svg": "svg_unsafe",
    "xml_stylesheet.svg": "svg_forbidden_xml",
    "xxe_file.svg": "svg_forbidden_xml",
    "xxe_parameter_entity.svg": "svg_forbidden_xml",
}

REFUSED_RASTERS = {
    "animated.png": "icon_animated",
    "bomb_header.png": "icon_bomb",
    "empty.png": "icon_empty",
    "html_named.png": "icon_format",
    "icon.svgz": "icon_format",
    "image.bmp": "icon_format",
    "image.gif": "icon_format",
    "image.tiff": "icon_format",
    "image.webp": "icon_format",
    "jpeg_signature_only.jpg": "icon_corrupt",
    "png_signature_garbage.png": "icon_corrupt",
    "size_31x32.png": "icon_dimensions",
    "size_32x33.png": "icon_dimensions",
    "size_33x32.jpg": "icon_dimensions",
    "too_large.png": "icon_too_large",
    "truncated.png": "icon_corrupt",
    "png_html_polyglot.png": "icon_trailing_data",
    "jpeg_zip_polyglot.jpg": "icon_trailing_data",
}

ACCEPTED_RASTERS = [
    "cmyk.jpg",
    "exif_rotated.jpg",
    "grey16.png",
    "jpeg_comment.jpg",
    "la.png",
    "palette_transparent.png",
    "png_text_chunks.png",
    "rgb.jpg",
    "rgb.png",
    "rgba.png",
]

# Payloads inside the image's own structure (a JPEG comment, PNG text chunks) are
# cleaned away by the rebuild; payloads after its end are refused outright.
POLYGLOTS = ["jpeg_comment.jpg", "png_text_chunks.png"]

VALID_SVG = sorted(path.name for path in (CORPUS / "valid_svg").glob("*.svg"))

# The four 16×16 quadrants drawn by make_rasters.quadrants(), sampled at their centres.
TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT = (8, 8), (24, 8), (8, 24), (24, 24)
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def corpus_bytes(folder, name):
    return (CORPUS / folder / name).read_bytes()


def refusal(data):
    with pytest.raises(ValidationError) as excinfo:
        clean_icon(data)
    return excinfo.value


def decoded(icon):
    image = Image.open(BytesIO(icon.data), formats=["PNG"])
    image.load()
    return image


def close_to(actual, expected, tolerance=6):
    """JPEG is lossy: compare colours channel by channel within a small tolerance."""
    if len(actual) != len(expected):
        return False
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def png_chunk_types(data):
    """Walk the chunks, insisting that IEND is the very last byte of the file."""
    assert data.startswith(PNG_SIGNATURE)
    position, types = len(PNG_SIGNATURE), []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        types.append(data[position + 4 : position + 8])
        position += 12 + length
    assert position == len(data)
    return types


def svg_document(body="", attributes='width="32" height="32" viewBox="0 0 32 32"', prolog=""):
    return f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" {attributes}>{body}</svg>'.encode()


# Corpus bookkeeping ---------------------------------------------------------


def test_hostile_svg_corpus_has_an_expected_code_for_every_file():
    on_disk = {path.name for path in (CORPUS / "hostile_svg").iterdir()}
    assert on_disk == set(HOSTILE_SVG)
    assert len(on_disk) >= 40


def test_raster_corpus_has_an_expectation_for_every_file():
    on_disk = {path.name for path in (CORPUS / "raster").iterdir()}
    assert on_disk == set(REFUSED_RASTERS) | set(ACCEPTED_RASTERS)


def test_raster_corpus_stays_small():
    sizes = [path.stat().st_size for path in (CORPUS / "raster").iterdir()]
    assert sum(sizes) < 256 * 1024


# Refusals -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "code"), sorted(HOSTILE_SVG.items()))
def test_hostile_svg_is_refused_with_expected_code(name, code):
    assert refusal(corpus_bytes("hostile_svg", name)).code == code


@pytest.mark.parametrize(("name", "code"), sorted(REFUSED_RASTERS.items()))
def test_refused_raster_is_refused_with_expected_code(name, code):
    assert refusal(corpus_bytes("raster", name)).code == code


def test_wrong_raster_size_reports_actual_size():
    error = refusal(corpus_bytes("raster", "size_31x32.png"))
    assert error.params["actual"] == "31×32"


def test_one_byte_over_limit_is_too_large_whatever_it_contains():
    error = refusal(b"\x00" * (MAX_ICON_BYTES + 1))
    assert error.code == "icon_too_large"
    assert error.params["size"] == MAX_ICON_BYTES + 1


def test_svg_of_exactly_the_limit_is_accepted():
    document = svg_document('<rect width="32" height="32"/>')
    padded = document.replace(b"<rect", b" " * (MAX_ICON_BYTES - len(document)) + b"<rect")
    assert len(padded) == MAX_ICON_BYTES
    assert clean_icon(padded).content_type == "image/svg+xml"


@pytest.mark.parametrize("data", [b"GIF89a" + b"\x00" * 20, b"hello world", b"%PDF-1.7\n", b"PK\x03\x04"])
def test_unknown_formats_name_the_accepted_formats(data):
    assert refusal(data).code == "icon_format"


def test_magic_disagreeing_with_the_signature_is_refused(monkeypatch):
    monkeypatch.setattr(icons.magic, "from_buffer", lambda data, mime: "text/html")
    assert refusal(corpus_bytes("raster", "rgb.png")).code == "icon_corrupt"


def test_decompression_bomb_warning_is_treated_as_an_error(monkeypatch):
    # 1024 pixels is over this limit (warning) but under twice it (Pillow's own error).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 600)
    assert refusal(corpus_bytes("raster", "rgb.png")).code == "icon_bomb"


# Raster normalisation -------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED_RASTERS)
def test_accepted_raster_is_stored_as_a_bare_32px_png(name):
    icon = clean_icon(corpus_bytes("raster", name))
    assert icon.content_type == "image/png"
    assert decoded(icon).size == (ICON_SIZE, ICON_SIZE)
    assert set(png_chunk_types(icon.data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


@pytest.mark.parametrize("name", POLYGLOTS)
def test_polyglot_payload_is_dropped(name):
    data = clean_icon(corpus_bytes("raster", name)).data
    assert b"script" not in data
    assert b"PK\x03\x04" not in data


@pytest.mark.parametrize("name", ACCEPTED_RASTERS)
def test_cleaned_raster_is_accepted_again_unchanged(name):
    once = clean_icon(corpus_bytes("raster", name))
    assert clean_icon(once.data) == once


def test_png_pixels_are_kept_exactly():
    image = decoded(clean_icon(corpus_bytes("raster", "rgb.png")))
    corners = [image.getpixel(xy) for xy in (TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT)]
    assert corners == [RED, GREEN, BLUE, WHITE]


def test_rgba_png_keeps_its_alpha():
    image = decoded(clean_icon(corpus_bytes("raster", "rgba.png")))
    assert image.mode == "RGBA"
    assert [image.getpixel(TOP_LEFT)[3], image.getpixel(TOP_RIGHT)[3], image.getpixel(BOTTOM_LEFT)[3]] == [
        255,
        128,
        0,
    ]


def test_exif_orientation_is_applied_to_the_pixels():
    # Stored with red top-left; orientation 6 rotates it 90° clockwise, so red ends top-right.
    image = decoded(clean_icon(corpus_bytes("raster", "exif_rotated.jpg")))
    assert close_to(image.getpixel(TOP_RIGHT), RED)
    assert close_to(image.getpixel(TOP_LEFT), BLUE)


def test_sixteen_bit_grey_is_scaled_not_clipped():
    # Stored as 100 × 257 at 16 bits; clipping would turn it white.
    image = decoded(clean_icon(corpus_bytes("raster", "grey16.png")))
    assert image.getpixel(TOP_LEFT) == (100, 100, 100)


def test_palette_transparency_becomes_alpha():
    image = decoded(clean_icon(corpus_bytes("raster", "palette_transparent.png")))
    assert image.mode == "RGBA"
    assert image.getpixel(TOP_LEFT)[3] == 0
    assert image.getpixel(TOP_RIGHT) == (*RED, 255)


def test_cmyk_jpeg_is_converted_to_rgb():
    image = decoded(clean_icon(corpus_bytes("raster", "cmyk.jpg")))
    assert image.mode == "RGB"
    assert close_to(image.getpixel(TOP_LEFT), (0, 255, 255))


def test_grey_with_alpha_becomes_rgba():
    image = decoded(clean_icon(corpus_bytes("raster", "la.png")))
    assert image.getpixel(TOP_LEFT) == (200, 200, 200, 128)


def test_sha256_is_the_digest_of_the_stored_bytes():
    icon = CleanIcon(data=b"abc", content_type="image/png")
    assert icon.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# SVG ------------------------------------------------------------------------


@pytest.mark.parametrize("name", VALID_SVG)
def test_valid_svg_is_accepted_with_icon_size_on_the_root(name):
    icon = clean_icon(corpus_bytes("valid_svg", name))
    root = fromstring(icon.data)
    assert icon.content_type == "image/svg+xml"
    assert root.tag == f"{SVG_NS}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("32", "32", "0 0 32 32")


@pytest.mark.parametrize("name", VALID_SVG)
def test_valid_svg_output_has_no_script_handlers_or_outside_links(name):
    root = fromstring(clean_icon(corpus_bytes("valid_svg", name)).data)
    elements = list(root.iter())
    attributes = [
        (key.rpartition("}")[2].lower(), value) for element in elements for key, value in element.items()
    ]
    assert not [element for element in elements if element.tag.lower().endswith("script")]
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert all(value.startswith("#") for name, value in attributes if name == "href")


@pytest.mark.parametrize("name", VALID_SVG)
def test_cleaned_svg_is_accepted_again_unchanged(name):
    once = clean_icon(corpus_bytes("valid_svg", name))
    assert clean_icon(once.data) == once


def test_figma_clip_path_reference_survives():
    root = fromstring(clean_icon(corpus_bytes("valid_svg", "figma.svg")).data)
    assert root.find(f"{SVG_NS}g").get("clip-path") == "url(#clip0_12_34)"
    assert root.find(f"{SVG_NS}defs/{SVG_NS}clipPath") is not None


def test_internal_entity_expanding_to_a_script_element_is_refused():
    # A byte-level scan sees no "<script" here; only the parser would build one.
    data = svg_document(
        "&payload;",
        prolog='<!DOCTYPE svg [<!ENTITY payload "&#60;script&#62;alert(1)&#60;/script&#62;">]>',
    )
    assert b"<script" not in data
    assert refusal(data).code == "svg_forbidden_xml"


@pytest.mark.parametrize(
    "body",
    [
        '<use href="&#106;&#x61;vascript:alert(1)"/>',
        '<rect width="32" height="32" style="fill:&#117;rl(https://evil.example/x#a)"/>',
        "<style>rect { fill: &#117;rl(https://evil.example/x#a) }</style>",
    ],
)
def test_checks_look_at_the_parsed_tree_not_the_bytes(body):
    assert refusal(svg_document(body)).code == "svg_unsafe"


def test_sanitiser_output_is_checked_again(monkeypatch):
    monkeypatch.setattr(icons, "filter_svg", lambda data: svg_document("<script>alert(1)</script>"))
    assert refusal(svg_document('<rect width="32" height="32"/>')).code == "svg_unsafe"


def test_sanitiser_crash_becomes_a_validation_error(monkeypatch):
    def explode(data):
        raise ValueError("XML parsing error")

    monkeypatch.setattr(icons, "filter_svg", explode)
    assert refusal(svg_document()).code == "svg_malformed"


def test_sanitiser_alone_lets_image_set_through():
    # Why SECURITY.md wants our own checks around filter_svg: this survives it.
    cleaned = filter_svg(svg_document("<rect style=\"fill: image-set('https://evil.example/x.png' 1x)\"/>"))
    assert b"image-set" in cleaned


def test_illustrator_svg_11_doctype_is_accepted():
    prolog = (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    )
    assert clean_icon(svg_document(prolog=prolog)).content_type == "image/svg+xml"


def test_plain_doctype_without_external_id_is_accepted():
    assert clean_icon(svg_document(prolog="<!DOCTYPE svg>")).content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "attributes",
    [
        'width="32" height="32"',
        'width="32px" height="32px"',
        'viewBox="0 0 32 32"',
        'width="32" viewBox="0 0 32 32"',
        'height="32px" viewBox=" 0,0 , 32.0,3.2e1 "',
    ],
)
def test_svg_size_rule_accepts(attributes):
    assert clean_icon(svg_document(attributes=attributes)).content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "attributes",
    [
        'width="32"',
        'width="32pt" height="32pt"',
        'width="2em" height="2em"',
        'width="100%" height="100%" viewBox="0 0 32 32"',
        'width="32" height="32" viewBox="0 0 16 16"',
        'viewBox="0 0 32"',
        'viewBox="0 0 nan 32"',
        'viewBox="0 0 32 32 32"',
        'viewBox="0 0 3_2 32"',
    ],
)
def test_svg_size_rule_refuses(attributes):
    assert refusal(svg_document(attributes=attributes)).code == "icon_dimensions"


def test_namespace_uri_cannot_break_out_of_its_attribute_on_the_way_to_the_sanitiser(monkeypatch):
    seen = []
    monkeypatch.setattr(icons, "filter_svg", lambda data: seen.append(data) or data)
    data = svg_document(
        '<rect width="32" height="32" x:note="1"/>',
        attributes='width="32" height="32" xmlns:x="urn:a&quot; onload=&quot;alert(1)"',
    )
    clean_icon(data)
    assert fromstring(seen[0]).get("onload") is None


def test_svg_of_exactly_1000_elements_is_accepted():
    assert clean_icon(svg_document("<g/>" * 999)).content_type == "image/svg+xml"


def test_svg_of_1001_elements_is_too_complex():
    assert refusal(svg_document("<g/>" * 1000)).code == "svg_too_complex"


def test_svg_nested_24_deep_is_accepted():
    assert clean_icon(svg_document("<g>" * 23 + "</g>" * 23)).content_type == "image/svg+xml"


def test_svg_nested_25_deep_is_too_complex():
    assert refusal(svg_document("<g>" * 24 + "</g>" * 24)).code == "svg_too_complex"


def test_svg_declared_in_another_encoding_is_refused():
    assert refusal(svg_document(prolog='<?xml version="1.0" encoding="ISO-8859-1"?>')).code == "svg_encoding"


# Robustness -----------------------------------------------------------------

SEEDS = [corpus_bytes("raster", name) for name in ("rgb.png", "rgb.jpg", "palette_transparent.png")] + [
    corpus_bytes("valid_svg", name) for name in ("figma.svg", "inkscape.svg")
]


def outcome(data):
    """Run clean_icon and let anything but a CleanIcon or ValidationError fail the test."""
    try:
        return clean_icon(data)
    except ValidationError as error:
        return error


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from([b"", PNG_SIGNATURE, b"\xff\xd8\xff", b"<svg ", b"\xef\xbb\xbf<"]),
    rest=st.binary(),
)
def test_arbitrary_bytes_end_in_a_result_or_validation_error(prefix, rest):
    assert isinstance(outcome(prefix + rest), CleanIcon | ValidationError)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(min_value=1),
)
def test_damaged_valid_icons_end_in_a_result_or_validation_error(seed, flips, cut):
    data = bytearray(seed[: max(1, cut % (len(seed) + 1))])
    for position, value in flips:
        data[position % len(data)] = value
    assert isinstance(outcome(bytes(data)), CleanIcon | ValidationError)


# Upload handler -------------------------------------------------------------


def upload(data, chunk_size=IconUploadHandler.chunk_size):
    """Drive the handler the way MultiPartParser does: new_file, chunks with offsets, file_complete."""
    handler = IconUploadHandler()
    handler.new_file("icon", "icon.png", "image/png", None)
    seen = 0
    for start in range(0, len(data), chunk_size):
        chunk = data[start : start + chunk_size]
        assert handler.receive_data_chunk(chunk, seen) is None
        seen += len(chunk)
    return handler.file_complete(seen)


def test_upload_handler_keeps_a_small_file_whole():
    uploaded = upload(b"x" * 1000)
    assert isinstance(uploaded, InMemoryUploadedFile)
    assert (uploaded.read(), uploaded.size, uploaded.exceeded_limit) == (b"x" * 1000, 1000, False)


def test_upload_handler_accepts_exactly_the_limit():
    uploaded = upload(b"x" * MAX_ICON_BYTES, chunk_size=1000)
    assert (len(uploaded.read()), uploaded.exceeded_limit) == (MAX_ICON_BYTES, False)


def test_upload_handler_keeps_one_byte_over_the_limit_of_a_large_file():
    uploaded = upload(b"x" * (20 * MAX_ICON_BYTES), chunk_size=7000)
    assert len(uploaded.read()) == MAX_ICON_BYTES + 1
    assert (uploaded.size, uploaded.exceeded_limit) == (20 * MAX_ICON_BYTES, True)


def test_upload_handler_starts_afresh_for_each_file():
    handler = IconUploadHandler()
    handler.new_file("icon", "a.png", "image/png", None)
    handler.receive_data_chunk(b"a" * (MAX_ICON_BYTES + 10), 0)
    handler.file_complete(MAX_ICON_BYTES + 10)
    handler.new_file("icon", "b.png", "image/png", None)
    handler.receive_data_chunk(b"b" * 10, 0)
    assert handler.file_complete(10).read() == b"b" * 10


@pytest.mark.skipif(not settings.configured, reason="needs the project's Django settings")
def test_upload_handler_lets_the_rest_of_a_multipart_request_through():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory, override_settings

    big = SimpleUploadedFile("icon.png", b"x" * (MAX_ICON_BYTES * 4), content_type="image/png")
    with override_settings(FILE_UPLOAD_HANDLERS=["oauth_apps.uploads.IconUploadHandler"]):
        request = RequestFactory().post("/", {"icon": big, "name": "After the file"})
        assert request.POST["name"] == "After the file"
        assert request.FILES["icon"].exceeded_limit
