"""The catalogs are complete: a string without a translation in every language fails here.

Checked for each language and domain: nothing untranslated, fuzzy or obsolete;
placeholders and HTML tags as in the source; and the catalogs hold exactly the
strings the code has today (extracted afresh into a temporary copy).
"""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from .catalogs import DOMAINS, LOCALE_DIR, MAKEMESSAGES_OPTIONS, locale_dirs, placeholders, tags

REPO = LOCALE_DIR.parent
CATALOGS = [(language, domain) for language in locale_dirs() for domain in DOMAINS]


def _catalog(language: str, domain: str, locale_dir: Path = LOCALE_DIR) -> polib.POFile:
    return polib.pofile(str(locale_dir / language / "LC_MESSAGES" / f"{domain}.po"), wrapwidth=0)


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgid!r}" + (f" (context {entry.msgctxt!r})" if entry.msgctxt else "")


def _forms_that_may_omit_the_count(catalog: polib.POFile) -> set[int]:
    """Plural forms used for one number only (Arabic's 0, 1 and 2) or for 0 and 1 (French "le champ"):
    they may say the number in words. A form that also serves 21 or 101 (Russian) must show it."""
    expression = catalog.metadata["Plural-Forms"].split("plural=", 1)[1].rstrip(";")
    plural = gettext.c2py(expression)
    numbers: dict[int, set[int]] = {}
    for n in range(1000):
        numbers.setdefault(plural(n), set()).add(n)
    return {form for form, used in numbers.items() if len(used) == 1 or used <= {0, 1}}


def test_every_offered_language_has_its_catalogs():
    offered = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert len(locale_dirs()) == len(offered) == 6
    for language, domain in CATALOGS:
        assert (LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po").is_file(), (language, domain)


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_catalog_has_no_untranslated_fuzzy_or_obsolete_entry(language, domain):
    catalog = _catalog(language, domain)
    assert [_label(e) for e in catalog.untranslated_entries()] == []
    assert [_label(e) for e in catalog.fuzzy_entries()] == []
    assert [_label(e) for e in catalog.obsolete_entries()] == []
    # A fuzzy header is left out by msgfmt, and with it the plural rule: Arabic would count like English.
    assert not catalog.metadata_is_fuzzy


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_translations_keep_the_placeholders_and_tags_of_the_source(language, domain):
    catalog = _catalog(language, domain)
    single = _forms_that_may_omit_the_count(catalog)
    wrong = []
    for entry in catalog.translated_entries():
        if not entry.msgid_plural:
            if placeholders(entry.msgstr) != placeholders(entry.msgid) or tags(entry.msgstr) != tags(
                entry.msgid
            ):
                wrong.append((entry.msgid, entry.msgstr))
            continue
        expected = set(placeholders(entry.msgid_plural))
        for form, text in entry.msgstr_plural.items():
            found = set(placeholders(text))
            missing = expected - found
            # Such a form may leave the count out if it is named: a bare %d left out breaks % formatting.
            allowed_missing = 1 if form in single and all("(" in p for p in missing) else 0
            unknown = found - expected - set(placeholders(entry.msgid))
            if unknown or len(missing) > allowed_missing or tags(text) != tags(entry.msgid_plural):
                wrong.append((entry.msgid_plural, form, text))
    assert wrong == []


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_every_plural_entry_has_every_form_of_its_language(language, domain):
    # A missing form (Spanish's third, for a million) would show the English text to those readers.
    catalog = _catalog(language, domain)
    forms = int(catalog.metadata["Plural-Forms"].split("nplurals=", 1)[1].split(";", 1)[0])
    short = [
        (entry.msgid, sorted(entry.msgstr_plural))
        for entry in catalog.translated_entries()
        if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(forms))
    ]
    assert short == []


@pytest.mark.parametrize("language", locale_dirs())
def test_catalog_declares_its_language_and_plural_forms(language):
    catalog = _catalog(language, "django")
    forms = {"de": 2, "fr": 2, "es": 3, "ru": 4, "zh_Hans": 1, "ar": 6}
    assert f"nplurals={forms[language]};" in catalog.metadata["Plural-Forms"].replace(" ", "")


def _copy_sources(target: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "venv", "var", "node_modules", "__pycache__", "*.mo", "*.pyc"
    )
    shutil.copytree(REPO, target, ignore=ignore, symlinks=True)


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory):
    """The catalogs as `make messages` would write them from today's code, in a throwaway copy."""
    copy = tmp_path_factory.mktemp("extract") / "portal"
    _copy_sources(copy)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    for domain in DOMAINS:
        command = [sys.executable, "manage.py", "makemessages", *MAKEMESSAGES_OPTIONS, "-d", domain]
        subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    return copy / "locale"


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_catalogs_hold_exactly_the_strings_of_the_code(fresh_catalogs, language, domain):
    fresh = _catalog(language, domain, fresh_catalogs)
    committed = _catalog(language, domain)
    # A new or changed string comes out untranslated or fuzzy: translate it (docs/translating.md).
    assert [_label(e) for e in fresh if not e.translated() or e.fuzzy] == []
    assert {(e.msgctxt, e.msgid) for e in committed} == {(e.msgctxt, e.msgid) for e in fresh}
