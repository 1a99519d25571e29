"""Which language a request is answered in, beyond what LocaleMiddleware decides.

LocaleMiddleware reads the language cookie, then Accept-Language, then falls back
to English. On top of that: a signed-in person's saved choice becomes the cookie
at sign-in (accounts.views), and an OpenID Connect `ui_locales` parameter wins
for the consent flow (authserver.views).
"""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils import translation

# BCP 47 tags are letters, digits and hyphens; anything else is ignored, not looked up.
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
MAX_UI_LOCALES = 10


def supported_language(tag: str) -> str | None:
    """The code in settings.LANGUAGES that serves this tag (`zh-CN` → `zh-hans`), or None."""
    if not _TAG.match(tag):
        return None
    try:
        return translation.get_supported_language_variant(tag.lower())
    except LookupError:
        return None


def ui_locales_language(ui_locales: str) -> str | None:
    """The first supported language of a space-separated `ui_locales` list (OIDC Core §3.1.2.1)."""
    for tag in ui_locales.split()[:MAX_UI_LOCALES]:
        language = supported_language(tag)
        if language:
            return language
    return None


def ui_locales_of_next(next_url: str) -> str:
    """The `ui_locales` of a sign-in page's `next` URL, so sign-in speaks the consent's language."""
    try:
        query = urlsplit(next_url).query
    except ValueError:
        return ""
    return " ".join(parse_qs(query).get("ui_locales", [])[:1])


def activate_for_request(request, language: str) -> None:
    """Answer this request in `language`; LocaleMiddleware then sends it as Content-Language."""
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()


def is_offered(language: str) -> bool:
    return language in dict(settings.LANGUAGES)
