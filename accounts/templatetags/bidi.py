"""Language helpers for templates: text keeps its own direction inside a translated sentence,
and the switcher returns to the page it was used on."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import template
from django.utils.html import format_html

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
