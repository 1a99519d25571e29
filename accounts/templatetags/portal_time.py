"""Dates as people read them: in their zone, with the zone named, recent ones relative.

`{{ value|when }}` renders `<time datetime="2026-12-01T12:44:03+01:00"
title="Dec. 1, 2026, 12:44 p.m. CET (Europe/Berlin)">5 minutes ago</time>`;
older values show the exact date and time with the zone's abbreviation instead of
the relative text. `{{ value|when:"date" }}` shows only the date for older values.
"""

from datetime import timedelta
from functools import lru_cache
from html import escape
from operator import attrgetter, methodcaller

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone, translation
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()

# Within this distance of now a time reads better as "5 minutes ago" / "in 59 minutes".
RECENT = timedelta(hours=24)

# Format characters that write a number, as django.utils.dateformat.DateFormat writes each.
_NUMBERS = {
    "d": lambda local: f"{local.day:02d}",
    "j": lambda local: str(local.day),
    "m": lambda local: f"{local.month:02d}",
    "n": lambda local: str(local.month),
    "y": lambda local: f"{(local.year % 100):02d}",
    "Y": lambda local: f"{local.year:04d}",
    "G": lambda local: str(local.hour),
    "H": lambda local: f"{local.hour:02d}",
    "g": lambda local: str(local.hour % 12 or 12),
    "h": lambda local: f"{(local.hour % 12 or 12):02d}",
    "i": lambda local: f"{local.minute:02d}",
    "s": lambda local: f"{local.second:02d}",
    "f": lambda local: (
        f"{local.hour % 12 or 12}:{local.minute:02d}" if local.minute else str(local.hour % 12 or 12)
    ),
}
# Format characters that write words from the translation catalog, by what the words depend on:
# the month's names, a.m./p.m., "midnight"/"noon"/"1:30 p.m.", the weekday's names.
_WORDS = {
    **dict.fromkeys("bEFMN", attrgetter("month")),
    **dict.fromkeys("aA", attrgetter("hour")),
    "P": attrgetter("hour", "minute"),
    **dict.fromkeys("Dl", methodcaller("weekday")),
}
# Each language's words for those characters, looked up once per process: (character, key) → text.
_WORD_TEXTS = {}


def _word(character: str, key_of, language, html: bool = False):
    # One dict per language, character and escaping, keyed by what the text depends on.
    texts = _WORD_TEXTS.setdefault((language, character, html), {})

    def piece(local) -> str:
        key = key_of(local)
        text = texts.get(key)
        if text is None:
            with translation.override(language):
                text = str(getattr(DateFormat(local), character)())
            text = texts[key] = escape(text) if html else text
        return text

    return piece


def _literal(text: str):
    return lambda _local: text


def _other(character: str):
    # Zone-dependent and rarely used characters: Django's own formatter, every time.
    return lambda local: str(getattr(DateFormat(local), character)())


# Format characters that depend only on the calendar day; and those finer than a minute.
_DAY_CHARACTERS = frozenset("bdDEFjlLmMnNoSStwWyYz")
_SUB_MINUTE_CHARACTERS = frozenset("crsuU")


@lru_cache(maxsize=128)
def _stamp_key(pattern: str):
    """What of a local time's ISO stamp ("2026-12-01T22:06:57+01:00") determines `pattern`'s text, or None.

    The day ([:10]) for a format of the day alone; else, for a format with no
    seconds, the minute and the offset (the stamp without its seconds): a clock
    change's repeated hour has the same minutes at two offsets, and the offset
    also tells the zone's abbreviation and whether Django leaves it out.
    """
    characters = set(re_formatchars.findall(pattern))
    if characters <= _DAY_CHARACTERS:
        return lambda stamp: stamp[:10]
    if not characters & _SUB_MINUTE_CHARACTERS:
        return lambda stamp: stamp[:16] + stamp[19:]
    return None


@lru_cache(maxsize=128)
def compiled(pattern: str, language) -> tuple:
    """`pattern` (a Django date format) as one function per piece, each writing its text for a local datetime.

    `"".join(piece(local) for piece in compiled(pattern, language))` is
    `django.utils.dateformat.format(local, pattern)` in `language`: numbers are
    written here, words come from the catalog once per process, and any other
    format character goes through Django's formatter.
    """
    pieces = []
    for index, piece in enumerate(re_formatchars.split(pattern)):
        if index % 2:
            if piece in _NUMBERS:
                pieces.append(_NUMBERS[piece])
            elif piece in _WORDS:
                pieces.append(_word(piece, _WORDS[piece], language))
            else:
                pieces.append(_other(piece))
        elif piece:
            pieces.append(_literal(re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


@lru_cache(maxsize=128)
def compiled_html(pattern: str, language) -> tuple[str, tuple]:
    """`pattern` for HTML: a str.format template holding its text, escaped, and the functions for its fields.

    `template.format(*(piece(local) for piece in pieces))` is
    `escape(django.utils.dateformat.format(local, pattern))` in `language`
    (escaping each piece escapes the whole): the words are escaped once per
    process, numbers need none, and the text between costs no call.
    """
    template, pieces = [], []
    for index, piece in enumerate(re_formatchars.split(pattern)):
        if index % 2:
            if piece in _NUMBERS:
                pieces.append(_NUMBERS[piece])  # digits and ":" only
            elif piece in _WORDS:
                pieces.append(_word(piece, _WORDS[piece], language, html=True))
            else:
                other = _other(piece)
                pieces.append(lambda local, other=other: escape(other(local)))
            template.append(f"{{{len(pieces) - 1}}}")
        elif piece:
            template.append(escape(re_escaped.sub(r"\1", piece)).replace("{", "{{").replace("}", "}}"))
    return "".join(template), tuple(pieces)


# naturaltime's texts (escaped) by language, past or future, and whole seconds, minutes or hours
# within RECENT: at most 2 × (60 + 59 + 23) per language.
_RELATIVE_TEXTS = {}


class Dates:
    """`when` for many dates in one language and zone: the formats and the zone are looked up once.

    The list formats two dates a row; `list_rows` makes one of these per page.
    It remembers each exact text by its minute and each day's text by its day,
    for the page's other dates (an app's creation and last change often share
    them).
    """

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.zone_name = escape(timezone.get_current_timezone_name())
        language = translation.get_language()
        datetime_format, date_format = get_format("DATETIME_FORMAT"), get_format("DATE_FORMAT")
        self.datetime_html = compiled_html(datetime_format, language)
        self.date_html = compiled_html(date_format, language)
        self.language = language
        self.now = timezone.now()
        # Within RECENT of now, either way: the relative text.
        self.recent_from, self.recent_until = self.now - RECENT, self.now + RECENT
        # The tooltip's text by the minute (the stamp's key), the date's by the day.
        self.exact_key = _stamp_key(datetime_format)
        self.date_key = _stamp_key(date_format)
        self.exact_texts, self.date_texts = {}, {}
        # The zone's abbreviations escaped, each once a page (a page's dates have one or two).
        self.abbreviations = {}

    def format(self, local, pattern: str) -> str:
        """`django.utils.dateformat.format(local, pattern)` in this page's language."""
        return "".join([piece(local) for piece in compiled(pattern, self.language)])

    @staticmethod
    def zone_abbreviation(local) -> str:
        """Django's "T" for `local`: the zone's abbreviation, or nothing in an hour a clock change makes
        ambiguous (django.utils.dateformat.TimeFormat leaves the zone out then)."""
        offset = local.utcoffset()
        if local.replace(fold=not local.fold).utcoffset() != offset:
            return ""
        return str(local.tzname())

    def relative(self, value) -> str:
        """`naturaltime(value)` ("5 minutes ago"), worded once per process and language for each number of
        seconds, minutes or hours it can say."""
        seconds = int(abs((self.now - value).total_seconds()))
        if seconds >= 3600:
            seconds -= seconds % 3600
        elif seconds >= 60:
            seconds -= seconds % 60
        key = (self.language, value < self.now, seconds)
        text = _RELATIVE_TEXTS.get(key)
        if text is None:
            # A moment that far from now, half a second further so that naturaltime's own
            # "now", taken a moment later, still finds the same whole number of seconds.
            distance = timedelta(seconds=seconds, milliseconds=500)
            moment = timezone.now() - distance if key[1] else timezone.now() + distance
            with translation.override(self.language):
                text = _RELATIVE_TEXTS[key] = escape(naturaltime(moment))
        return text

    def html(self, value, style="datetime") -> str:
        """`when`'s HTML as a plain string (the list puts it straight into a row's HTML)."""
        if not value:
            return "—"
        local = value.astimezone(self.zone)
        stamp = local.isoformat(timespec="seconds")
        # The exact time with the zone's abbreviation, formatted once for the text and the tooltip.
        key = self.exact_key(stamp) if self.exact_key else None
        exact = self.exact_texts.get(key) if key else None
        if exact is None:
            template, pieces = self.datetime_html
            written = template.format(*[piece(local) for piece in pieces])
            abbreviation = self.zone_abbreviation(local)
            escaped = self.abbreviations.get(abbreviation)
            if escaped is None:
                escaped = self.abbreviations[abbreviation] = escape(abbreviation)
            exact = f"{written} {escaped}"
            if key:
                self.exact_texts[key] = exact
        if self.recent_from < value < self.recent_until:
            text = self.relative(value)
        elif style == "date":
            key = self.date_key(stamp) if self.date_key else None
            text = self.date_texts.get(key) if key else None
            if text is None:
                template, pieces = self.date_html
                text = template.format(*[piece(local) for piece in pieces])
                if key:
                    self.date_texts[key] = text
        else:
            text = exact
        return f'<time datetime="{stamp}" title="{exact} ({self.zone_name})">{text}</time>'

    def when(self, value, style="datetime"):
        return mark_safe(self.html(value, style))  # noqa: S308 -- escaped in html()


@register.filter
def when(value, style="datetime"):
    return Dates().when(value, style)
