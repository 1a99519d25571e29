"""The translation catalogs as the tests see them: compiled before the run, read with polib."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# The same options as `make messages` (docs/translating.md): catalogs must not churn.
MAKEMESSAGES_OPTIONS = [
    "-l", "de", "-l", "fr", "-l", "es", "-l", "ru", "-l", "zh_Hans", "-l", "ar",
    "--ignore=tests", "--ignore=bench", "--ignore=var", "--ignore=node_modules",
    "--no-obsolete", "--add-location=file",
]  # fmt: skip
DOMAINS = ("django", "djangojs")

# %(name)s, %s, %d, %% is not one; {} and {name} for str.format strings.
_PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxX]")
_BRACES = re.compile(r"\{[A-Za-z_0-9]*\}")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def locale_dirs() -> list[str]:
    """Catalog folder names (`zh_Hans`) of every language but English, from settings.LANGUAGES."""
    from django.utils.translation import to_locale

    return [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]


def catalog_paths(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile each .po whose .mo is missing or older, as `make` does; return what was compiled."""
    compiled = []
    for po in catalog_paths(locale_dir):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
            compiled.append(po)
    return compiled


def placeholders(text: str) -> list[str]:
    return sorted(_PERCENT.findall(text.replace("%%", "")) + _BRACES.findall(text))


def tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


def translated(language: str, msgid: str, plural: str = "", number: int = 1) -> str:
    """The catalog's translation of a source string; fails if the language has none."""
    from django.utils import translation

    with translation.override(language):
        text = translation.ngettext(msgid, plural, number) if plural else translation.gettext(msgid)
    source = (plural if number != 1 else msgid) if plural else msgid
    assert text != source, f"{source!r} has no {language} translation"
    return text


def assert_speaks(page: str, language: str, *msgids: str) -> None:
    """The page shows each string in `language` (as the template escapes it), and not in English."""
    from django.utils.html import escape

    for msgid in msgids:
        text = translated(language, msgid)
        assert escape(text) in page or text in page, f"{language}: {text!r} ({msgid!r}) not on the page"


def js_translation(language: str, msgid: str) -> str:
    """A portal.js string's translation, read from the djangojs catalog."""
    import polib
    from django.utils.translation import to_locale

    catalog = polib.pofile(str(LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "djangojs.po"))
    entry = catalog.find(msgid)
    assert entry is not None, (language, msgid)
    assert entry.translated(), (language, msgid)
    assert entry.msgstr != msgid, (language, msgid)
    return entry.msgstr
