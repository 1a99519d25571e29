"""Language helpers for templates: text keeps its own direction inside a translated sentence,
and the switcher returns to the page it was used on."""

from functools import lru_cache
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.filter
def auto_dir(value):
    """Wrap text someone typed (an app's name) so an Arabic name in an English sentence,
    or the reverse, neither flips nor drags the punctuation around it."""
    return format_html('<bdi dir="auto">{}</bdi>', value)


@register.filter
def ltr(value):
    """Wrap a host name, URL or identifier so it reads left to right even in an Arabic sentence."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def without_ui_locales(path: str) -> str:
    """The page's URL for the language switcher to return to, minus OpenID Connect's ui_locales:
    a language the person picks must not be overruled by the one the app asked for."""
    parts = urlsplit(path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "ui_locales" for key, _value in pairs):
        return path
    query = urlencode([(key, value) for key, value in pairs if key != "ui_locales"], safe="/:")
    return urlunsplit(("", "", parts.path, query, ""))


@register.simple_tag
def language_options():
    """The switcher's `<option>`s, the current language selected: drawn once per language, not per page."""
    return _language_options(get_language(), tuple(settings.LANGUAGES))


@lru_cache(maxsize=32)
def _language_options(current: str, languages: tuple):
    options = []
    for code, _english_name in languages:
        info = get_language_info(code)
        direction = "rtl" if info["bidi"] else "ltr"
        selected = " selected" if code == current else ""
        name = escape(info["name_local"])
        options.append(f'<option value="{code}" lang="{code}" dir="{direction}"{selected}>{name}</option>')
    return mark_safe("\n    ".join(options))  # noqa: S308 -- constant codes, escaped names
