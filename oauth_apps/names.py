"""What a person reads: the rules for app names and descriptions, and the key that makes names unique.

The consent screen is where a user decides whether to trust an app, so the
name and description an owner types are hostile there. This module is the one
place the rules live:

- `normalise_name` / `normalise_description`: NFC, whitespace collapsed (a
  description keeps its line breaks, as "\\n").
- `validate_name` / `validate_description`: refuse control characters, bidi
  controls, invisible and format characters, the BOM, tag characters,
  line/paragraph separators, names with nothing visible, and words that mix
  confusable scripts. Each refusal carries its own error code
  (docs/error-codes.md).
- `uniqueness_key` / `name_key`: two names that read the same get the same key
  (NFKC, full case folding, whitespace collapsed, then the UTS #39 confusable
  skeleton from ICU's copy of Unicode's confusables data). `name_key` is its
  SHA-256, stored in `OAuthApplication.name_key` under a unique index, so the
  key is computed in Python and compares the same on every database.

The model fields carry these as validators and form fields (`NameFormField`,
`DescriptionFormField`), so any ModelForm picks them up.
"""

import hashlib
import re
import unicodedata

import icu
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- character classes ----------------------------------------------------------

BIDI_CONTROLS = frozenset(
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT / RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
LINE_SEPARATORS = frozenset("\u2028\u2029")
BYTE_ORDER_MARK = "\ufeff"
TAG_CHARACTERS = range(0xE0000, 0xE0080)
# Characters Unicode calls default-ignorable that are not of category Cf: they draw
# nothing (Hangul fillers, the combining grapheme joiner, variation selectors, the
# Khmer inherent vowels), which is all an impersonator needs.
INVISIBLE_NOT_FORMAT = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0), range(0x180B, 0x1810))
# Letters of these scripts look alike (a/а/α, o/о/ο, p/р/ρ …): one word may not mix them.
CONFUSABLE_SCRIPTS = {"Latn": _("Latin"), "Cyrl": _("Cyrillic"), "Grek": _("Greek")}

# Whitespace that is only space: tabs, no-break, thin, ideographic … but not line
# breaks, separators or the controls Python also calls whitespace, which the
# validators must see to refuse (or, in a description, keep).
_SPACE_RUN = re.compile(r"[^\S\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]+")
_SPACES_AROUND_BREAKS = re.compile(r" *\n *")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _in(code_point: int, ranges) -> bool:
    return any(code_point in block for block in ranges)


def _is_invisible(char: str) -> bool:
    """Format characters (Cf: zero-width space/joiners, soft hyphen, word joiner …) and their kin."""
    return (
        unicodedata.category(char) == "Cf"
        or char in INVISIBLE_NOT_FORMAT
        or _in(ord(char), VARIATION_SELECTORS)
    )


# --- normalising -----------------------------------------------------------------


def normalise_name(value: str) -> str:
    """NFC, every run of spaces (tab, no-break, ideographic …) one space, trimmed."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", value)).strip(" ")


def normalise_description(value: str) -> str:
    """NFC, CR LF and CR as LF, spaces collapsed within each line, at most one blank line in a row."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _SPACE_RUN.sub(" ", value)
    value = _SPACES_AROUND_BREAKS.sub("\n", value)
    return _MANY_BLANK_LINES.sub("\n\n", value).strip(" \n")


# --- validating ------------------------------------------------------------------


def _refusal(char: str, *, line_breaks_allowed: bool) -> tuple[str, str] | None:
    """The error code and message for one character, or None if it may stay."""
    code_point = ord(char)
    if char in "\n\r" and line_breaks_allowed:
        return None
    if char in "\n\r":
        return "line_break", _("The name must be on one line.")
    if char == "\t":
        return None  # ordinary whitespace: collapsed to one space
    if char == BYTE_ORDER_MARK:
        return "byte_order_mark", _("Remove the invisible byte order mark (U+FEFF).")
    if char in BIDI_CONTROLS:
        return "bidi_control", _(
            "Remove the text-direction control character (%(code_point)s): it can make text read "
            "differently from how it is stored."
        )
    if char in LINE_SEPARATORS:
        return "line_separator", _("Remove the line or paragraph separator (%(code_point)s).")
    if code_point in TAG_CHARACTERS:
        return "tag_character", _("Remove the invisible tag character (%(code_point)s).")
    category = unicodedata.category(char)
    if category == "Cc":  # C0, DEL, C1
        return "control_character", _("Remove the control character (%(code_point)s).")
    if _is_invisible(char):
        return "invisible_character", _("Remove the invisible character (%(code_point)s).")
    if category in ("Co", "Cn", "Cs"):
        return "unassigned_character", _(
            "Remove the character %(code_point)s: it is unassigned or private-use, so it has no agreed look."
        )
    return None


def _check_characters(value: str, *, line_breaks_allowed: bool) -> None:
    errors: dict[str, ValidationError] = {}
    for char in value:
        refusal = _refusal(char, line_breaks_allowed=line_breaks_allowed)
        if refusal is not None and refusal[0] not in errors:
            code, message = refusal
            errors[code] = ValidationError(message, code=code, params={"code_point": f"U+{ord(char):04X}"})
    if errors:
        raise ValidationError(list(errors.values()))


def _has_visible_character(value: str) -> bool:
    return any(unicodedata.category(char)[0] in "LNPS" for char in value)


def _script(char: str) -> str:
    return icu.Script.getScript(char).getShortName()


def mixed_script_words(value: str) -> list[tuple[str, list[str]]]:
    """Each word that mixes confusable scripts, with the scripts it mixes (in order of appearance)."""
    found = []
    for word in value.split():
        scripts: list[str] = []
        for char in word:
            if unicodedata.category(char)[0] != "L":
                continue
            script = _script(char)
            if script in CONFUSABLE_SCRIPTS and script not in scripts:
                scripts.append(script)
        if len(scripts) > 1:
            found.append((word, scripts))
    return found


def _check_scripts(value: str) -> None:
    mixed = mixed_script_words(value)
    if mixed:
        word, scripts = mixed[0]
        raise ValidationError(
            _(
                "“%(word)s” mixes %(scripts)s letters in one word, which is how look-alike names "
                "are made. Write each word in one script."
            ),
            code="mixed_script",
            params={"word": word, "scripts": " + ".join(str(CONFUSABLE_SCRIPTS[s]) for s in scripts)},
        )


def validate_name(value: str) -> None:
    """Raise ValidationError (with its code) unless `value` is a name a person can read as stored."""
    if not isinstance(value, str):
        raise ValidationError(_("Enter a name."), code="invalid")
    _check_characters(value, line_breaks_allowed=False)
    if value and not _has_visible_character(value):
        raise ValidationError(_("The name has no visible character."), code="invisible_only")
    _check_scripts(value)


def validate_description(value: str) -> None:
    """The name's rules, except that line breaks are allowed and mixed scripts are not checked."""
    if not isinstance(value, str):
        raise ValidationError(_("Enter a description."), code="invalid")
    _check_characters(value, line_breaks_allowed=True)
    if value.strip() and not _has_visible_character(value):
        raise ValidationError(_("The description has no visible character."), code="invisible_only")


# --- the uniqueness key ------------------------------------------------------------

_SPOOF_CHECKER = icu.SpoofChecker()


def uniqueness_key(name: str) -> str:
    """What a name reads as: NFKC, case-folded, whitespace collapsed, confusable skeleton (UTS #39).

    `Ｇｏｏｇｌｅ Ｄｒｉｖｅ`, `GOOGLE  DRIVE`, `Google\\u00a0Drive` and Cyrillic `Gооgle Drive`
    all give the key of `google drive`.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    collapsed = " ".join(folded.split())
    # getSkeleton is ICU's implementation of UTS #39 skeleton(): NFD, each character
    # replaced by its prototype from confusables.txt, NFD again.
    skeleton = _SPOOF_CHECKER.getSkeleton(0, collapsed)
    return unicodedata.normalize("NFC", skeleton)


def name_key(name: str) -> str:
    """The stored form of `uniqueness_key`: its SHA-256, fixed length for any name."""
    return hashlib.sha256(uniqueness_key(name).encode("utf-8")).hexdigest()


# --- form fields ---------------------------------------------------------------------


class NameFormField(forms.CharField):
    """A name as typed, normalised (normalise_name) before it is checked or stored."""

    normalise = staticmethod(normalise_name)
    rule = staticmethod(validate_name)

    def __init__(self, **kwargs):
        kwargs["strip"] = False  # normalise() trims spaces, and only spaces
        super().__init__(**kwargs)
        if self.rule not in self.validators:
            self.validators.append(self.rule)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if isinstance(value, str) else value


class DescriptionFormField(NameFormField):
    """A description: the name's rules, line breaks allowed."""

    normalise = staticmethod(normalise_description)
    rule = staticmethod(validate_description)
