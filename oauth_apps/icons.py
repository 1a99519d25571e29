"""Validate and normalise uploaded application icons (see SECURITY.md, "Icons").

`clean_icon` turns untrusted bytes into either a `CleanIcon` that is safe to
store and serve, or a single `ValidationError` with a stable code. Rasters are
always re-encoded as a fresh PNG; SVGs are checked, sanitised and checked again.
"""

import hashlib
import re
import warnings
import xml.etree.ElementTree as ET  # noqa: S405 - TreeBuilder only; parsing goes through defusedxml
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

import magic
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from py_svg_hush import filter_svg

MAX_ICON_BYTES = 64 * 1024
ICON_SIZE = 32
ICON_SIZE_TEXT = f"{ICON_SIZE}×{ICON_SIZE}"

PNG = "PNG"
JPEG = "JPEG"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
RASTER_MIME_TYPES = {PNG: "image/png", JPEG: "image/jpeg"}

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XINCLUDE_NAMESPACES = frozenset({"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"})
# Editor metadata that browsers never render; the sanitiser drops it anyway.
METADATA_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://www.bohemiancoding.com/sketch/ns",
    }
)
FORBIDDEN_ELEMENTS = frozenset(
    name.lower()
    for name in (
        "script",
        "foreignObject",
        "a",
        "image",
        "feImage",
        "animate",
        "animateColor",
        "set",
        "animateMotion",
        "animateTransform",
        "handler",
        "iframe",
        "embed",
        "object",
    )
)
# Public DOCTYPEs that SVG editors (Illustrator among them) write. Expat never
# fetches them; any other external identifier is refused as a possible XXE probe.
KNOWN_SVG_DTDS = frozenset(
    {
        ("-//W3C//DTD SVG 1.0//EN", "http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd"),
        ("-//W3C//DTD SVG 1.1//EN", "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"),
        ("-//W3C//DTD SVG 1.1 Basic//EN", "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11-basic.dtd"),
        ("-//W3C//DTD SVG 1.1 Tiny//EN", "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11-tiny.dtd"),
    }
)
MAX_SVG_ELEMENTS = 1000
MAX_SVG_DEPTH = 24
ATTRIBUTE_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}

UTF8_BOM = b"\xef\xbb\xbf"
WIDE_ENCODING_MARKS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
XML_DECLARATION_ENCODING = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
SVG_TAG_HINT = re.compile(rb"<(?:[\w.-]+:)?svg[\s>/]", re.IGNORECASE)
SVG_LENGTH_32 = re.compile(r"32(?:px)?")
VIEWBOX_SEPARATOR = re.compile(r"[\s,]+")
SVG_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Anything that can make a browser fetch, run or reinterpret something.
UNSAFE_CSS = (
    (re.compile(r"url\s*\(\s*(?![\"']?\s*#)", re.IGNORECASE), "url()"),
    (re.compile(r"@import", re.IGNORECASE), "@import"),
    (re.compile(r"@font-face", re.IGNORECASE), "@font-face"),
    (re.compile(r"image-set", re.IGNORECASE), "image-set()"),
    (re.compile(r"//"), "//"),
    (re.compile(r"\\"), "backslash"),
    (re.compile(r"expression", re.IGNORECASE), "expression()"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript:"),
)


@dataclass(frozen=True)
class CleanIcon:
    data: bytes  # the normalised bytes to store
    content_type: str  # "image/png" or "image/svg+xml"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


MESSAGES = {
    "icon_empty": _("The icon file is empty."),
    "icon_too_large": _("The icon must be at most %(limit)s bytes; this file is %(size)s bytes."),
    "icon_format": _("The icon must be a PNG, JPEG or SVG image."),
    "icon_dimensions": _("The icon must be exactly %(expected)s pixels; this one is %(actual)s."),
    "icon_animated": _("The icon must not be animated."),
    "icon_corrupt": _("The icon file is damaged or is not the image it claims to be."),
    "icon_bomb": _("The icon declares an image far too large to decode."),
    "icon_trailing_data": _(
        "The icon has data hidden after the end of the image (another file joined to it). "
        "Export the icon again from your image editor."
    ),
    "svg_encoding": _("SVG icons must be encoded as UTF-8."),
    "svg_malformed": _("The SVG icon is not a well-formed SVG document."),
    "svg_forbidden_xml": _("The SVG icon uses a forbidden XML feature: %(feature)s."),
    "svg_too_complex": _("The SVG icon is too complex: at most %(elements)s elements nested %(depth)s deep."),
    "svg_unsafe": _("The SVG icon contains something unsafe: %(found)s."),
}


def _refuse(code, **params):
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def clean_icon(data: bytes) -> CleanIcon:
    """Return the normalised icon, or raise a ValidationError saying why not."""
    if not data:
        raise _refuse("icon_empty")
    if len(data) > MAX_ICON_BYTES:
        raise _refuse("icon_too_large", limit=MAX_ICON_BYTES, size=len(data))
    try:
        return _clean_by_format(bytes(data))
    except ValidationError:
        raise
    except Exception as exc:
        # Every library below has surprised someone with an exotic exception;
        # a hostile upload must end as a form error, never as a 500.
        raise _refuse("icon_corrupt") from exc


def _clean_by_format(data):
    if data.startswith(PNG_SIGNATURE):
        return _clean_raster(data, PNG)
    if data.startswith(JPEG_SIGNATURE):
        return _clean_raster(data, JPEG)
    return _clean_svg(data)


# Raster -------------------------------------------------------------------


def _clean_raster(data, fmt):
    _check_magic(data, fmt)
    _check_nothing_after_the_image(data, fmt)
    with _open_raster(data, fmt) as image:
        _check_raster_frames(image)
        return CleanIcon(data=_rebuild_as_png(image), content_type="image/png")


def _check_magic(data, fmt):
    """Use libmagic as a second opinion on the signature we trusted."""
    if magic.from_buffer(data, mime=True) != RASTER_MIME_TYPES[fmt]:
        raise _refuse("icon_corrupt")


def _check_nothing_after_the_image(data, fmt):
    """Refuse polyglots (PNG+HTML, JPEG+ZIP): an icon never carries bytes past its end.

    Rebuilding from pixels would drop them anyway; refusing says out loud that
    the file is not what it seems.
    """
    end = _png_end(data) if fmt == PNG else _jpeg_end(data)
    if end is not None and data[end:].strip(b"\x00\r\n"):
        raise _refuse("icon_trailing_data")


def _png_end(data):
    """Offset just past the IEND chunk, walking the chunk lengths; None if there is none."""
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        chunk_type = data[offset + 4 : offset + 8]
        offset += 12 + length
        if chunk_type == b"IEND":
            return offset
    return None


def _jpeg_end(data):
    """Offset just past the last end-of-image marker (an EXIF thumbnail has its own, earlier)."""
    index = data.rfind(b"\xff\xd9")
    return None if index < 0 else index + 2


def _open_raster(data, fmt):
    """Open the image, which reads only its header."""
    # catch_warnings() touches process-wide state; if a thread races it, the
    # 32×32 check still stops the image before any pixel is decoded.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(BytesIO(data), formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _refuse("icon_bomb") from exc
        except Exception as exc:
            raise _refuse("icon_corrupt") from exc


def _check_raster_frames(image):
    """Refuse anything but a single 32×32 frame whose pixels decode completely."""
    # Checked before load(): a few hundred KB of PNG can decode to gigabytes.
    if image.size != (ICON_SIZE, ICON_SIZE):
        raise _refuse("icon_dimensions", expected=ICON_SIZE_TEXT, actual=_size_text(*image.size))
    if getattr(image, "n_frames", 1) != 1:
        raise _refuse("icon_animated")
    try:
        # verify() would miss truncated pixel data; decoding everything does not.
        image.load()
    except Exception as exc:
        raise _refuse("icon_corrupt") from exc


def _size_text(width, height):
    return f"{width}×{height}"


def _rebuild_as_png(image):
    """Keep nothing but the pixels: no metadata, comments, profiles or trailing bytes."""
    upright = ImageOps.exif_transpose(image)
    pixels = _normalise_mode(upright)
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = BytesIO()
    fresh.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _normalise_mode(image):
    """Convert to RGB or RGBA, scaling high bit depths instead of clipping them."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # Pillow's convert("L") clips 16-bit grey at 255, turning most icons white.
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


# SVG ----------------------------------------------------------------------


class _ForbiddenXml(Exception):
    def __init__(self, feature):
        super().__init__(feature)
        self.feature = feature


class _SvgParser(DefusedXMLParser):
    """defusedxml with entities and external references forbidden, and only known DOCTYPEs allowed."""

    def __init__(self):
        super().__init__(
            target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        # defusedxml's forbid_dtd would also refuse Illustrator's harmless SVG 1.1
        # DOCTYPE, so the DOCTYPE is judged here instead.
        self.parser.StartDoctypeDeclHandler = self._check_doctype
        self.parser.ProcessingInstructionHandler = self._check_processing_instruction

    @staticmethod
    def _check_doctype(name, sysid, pubid, has_internal_subset):
        if has_internal_subset:
            # Entities are refused anyway; ATTLIST defaults could add attributes.
            raise _ForbiddenXml("DOCTYPE internal subset")
        if (sysid or pubid) and not _is_known_svg_dtd(sysid, pubid):
            raise _ForbiddenXml("external DTD")

    @staticmethod
    def _check_processing_instruction(target, data):
        if target.lower() == "xml-stylesheet":
            raise _ForbiddenXml("xml-stylesheet")


def _is_known_svg_dtd(sysid, pubid):
    return any(
        sysid == known_sysid and pubid in (None, known_pubid) for known_pubid, known_sysid in KNOWN_SVG_DTDS
    )


def _clean_svg(data):
    text = _decode_svg(data)
    root = _parse_svg(text)
    _check_svg_tree(root)
    _check_svg_size(root)
    sanitised = _sanitise(root)
    _check_svg_tree(sanitised)
    return CleanIcon(data=_finalise(sanitised), content_type="image/svg+xml")


def _decode_svg(data):
    """Decide whether the bytes are meant as SVG at all, then insist on UTF-8."""
    if data.startswith(WIDE_ENCODING_MARKS):
        raise _refuse("svg_encoding")
    body = data.removeprefix(UTF8_BOM).lstrip()
    if not body.startswith(b"<") or not SVG_TAG_HINT.search(body):
        raise _refuse("icon_format")
    declared = XML_DECLARATION_ENCODING.match(body)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise _refuse("svg_encoding")
    if b"\x00" in body:
        raise _refuse("svg_encoding")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse("svg_encoding") from exc


def _parse_svg(text):
    parser = _SvgParser()
    try:
        parser.feed(text)
        root = parser.close()
    except _ForbiddenXml as exc:
        raise _refuse("svg_forbidden_xml", feature=exc.feature) from exc
    except DefusedXmlException as exc:
        raise _refuse("svg_forbidden_xml", feature=type(exc).__name__) from exc
    except Exception as exc:
        raise _refuse("svg_malformed") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _refuse("svg_malformed")
    return root


def _check_svg_tree(root):
    """Refuse XInclude, oversized trees and anything SECURITY.md lists as unsafe."""
    depths = dict(_walk_with_depth(root))
    if any(_namespace(element.tag) in XINCLUDE_NAMESPACES for element in depths):
        raise _refuse("svg_forbidden_xml", feature="XInclude")
    if len(depths) > MAX_SVG_ELEMENTS or max(depths.values()) > MAX_SVG_DEPTH:
        raise _refuse("svg_too_complex", elements=MAX_SVG_ELEMENTS, depth=MAX_SVG_DEPTH)
    for element in depths:
        found = _unsafe_element(element) or _unsafe_attribute(element) or _unsafe_style_text(element)
        if found:
            raise _refuse("svg_unsafe", found=found)


def _walk_with_depth(root):
    """Yield (element, depth) without recursion, so deep trees cannot exhaust the stack."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        yield element, depth
        stack.extend((child, depth + 1) for child in element)


def _namespace(name):
    return name[1:].partition("}")[0] if name.startswith("{") else ""


def _local_name(name):
    return name.rpartition("}")[2]


def _unsafe_element(element):
    if not isinstance(element.tag, str):
        return "non-element node"
    namespace, name = _namespace(element.tag), _local_name(element.tag)
    if namespace in METADATA_NAMESPACES:
        return None
    if namespace != SVG_NS:
        return f"element <{name}> outside the SVG namespace"
    if name.lower() in FORBIDDEN_ELEMENTS:
        return f"element <{name}>"
    return None


def _unsafe_attribute(element):
    for key, value in element.attrib.items():
        name = _local_name(key).lower()
        if name.startswith("on"):
            return f"event handler attribute {name}"
        if name == "href" and not value.startswith("#"):
            return f"link to {value!r}"
        if key == f"{{{XML_NS}}}base":
            return "xml:base"
        # Editor bookkeeping (export paths, licence URLs) is not rendered and is
        # dropped by the sanitiser, so only attributes a browser reads are scanned.
        if _namespace(key) not in METADATA_NAMESPACES:
            found = _unsafe_css(value)
            if found:
                return f"{found} in attribute {name}"
    return None


def _unsafe_style_text(element):
    if _local_name(element.tag).lower() != "style":
        return None
    found = _unsafe_css("".join(element.itertext()))
    return f"{found} in <style>" if found else None


def _unsafe_css(text):
    for pattern, label in UNSAFE_CSS:
        if pattern.search(text):
            return label
    return None


def _check_svg_size(root):
    """Apply the 32×32 rule from SECURITY.md: viewBox 0 0 32 32 and/or width and height of 32."""
    width, height, view_box = root.get("width"), root.get("height"), root.get("viewBox")
    if view_box is not None:
        fits = _is_icon_view_box(view_box) and all(v is None or _is_length_32(v) for v in (width, height))
    else:
        fits = width is not None and height is not None and _is_length_32(width) and _is_length_32(height)
    if not fits:
        actual = f"width={width!r} height={height!r} viewBox={view_box!r}"
        raise _refuse("icon_dimensions", expected=ICON_SIZE_TEXT, actual=actual)


def _is_length_32(value):
    return SVG_LENGTH_32.fullmatch(value.strip()) is not None


def _is_icon_view_box(value):
    parts = VIEWBOX_SEPARATOR.split(value.strip())
    # float() alone would also take "3_2", "inf" and "nan", which SVG does not.
    if not all(SVG_NUMBER.fullmatch(part) for part in parts):
        return False
    return [float(part) for part in parts] == [0, 0, ICON_SIZE, ICON_SIZE]


def _sanitise(root):
    """Run the allowlist sanitiser over our own serialisation of the checked tree.

    Feeding it our tree rather than the upload means both parsers see the same
    document: no DOCTYPE, comments or processing instructions to disagree on.
    """
    try:
        cleaned = filter_svg(_serialise(root))
    except Exception as exc:
        raise _refuse("svg_malformed") from exc
    return _parse_svg(cleaned.decode("utf-8"))


def _finalise(root):
    root.set("width", str(ICON_SIZE))
    root.set("height", str(ICON_SIZE))
    root.set("viewBox", f"0 0 {ICON_SIZE} {ICON_SIZE}")
    output = _serialise(root)
    # Belt and braces: what we store must itself be a clean, parseable SVG.
    _check_svg_tree(_parse_svg(output.decode("utf-8")))
    return output


def _serialise(root):
    """Write the tree as UTF-8 XML with SVG as the default namespace.

    ElementTree can only do that through a process-wide register_namespace()
    (its default_namespace option refuses unprefixed attributes), so this small
    writer is used instead. Callers have already bounded the depth to 24.
    """
    prefixes = _namespace_prefixes(root)
    declarations = "".join(
        f' xmlns{":" if prefix else ""}{prefix}="{escape(uri, ATTRIBUTE_ESCAPES)}"'
        for uri, prefix in prefixes.items()
        if uri != XML_NS
    )
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write_element(root, prefixes, parts, declarations)
    return "".join(parts).encode("utf-8")


def _namespace_prefixes(root):
    """Map each namespace the tree uses to a prefix, SVG being the default."""
    preferred = {XML_NS: "xml", XLINK_NS: "xlink"}
    prefixes = {SVG_NS: ""}
    for element in root.iter():
        for name in (element.tag, *element.attrib):
            uri = _namespace(name)
            if uri and uri not in prefixes:
                prefixes[uri] = preferred.get(uri, f"ns{len(prefixes)}")
    return prefixes


def _write_element(element, prefixes, parts, declarations=""):
    tag = _qualified_name(element.tag, prefixes)
    attributes = "".join(
        f' {_qualified_name(key, prefixes)}="{escape(value, ATTRIBUTE_ESCAPES)}"'
        for key, value in sorted(element.attrib.items())
    )
    parts.append(f"<{tag}{declarations}{attributes}")
    if element.text is None and len(element) == 0:
        parts.append("/>")
    else:
        parts.append(">" + escape(element.text or ""))
        for child in element:
            _write_element(child, prefixes, parts)
        parts.append(f"</{tag}>")
    parts.append(escape(element.tail or ""))


def _qualified_name(name, prefixes):
    prefix = prefixes[_namespace(name)] if name.startswith("{") else ""
    return f"{prefix}:{_local_name(name)}" if prefix else _local_name(name)
