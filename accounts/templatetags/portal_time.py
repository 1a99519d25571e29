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
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()

# Within this distance of now a time reads better as "5 minutes ago" / "in 59 minutes".
RECENT = timedelta(hours=24)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> tuple[tuple[bool, str], ...]:
    """A date format split once into (is a format character, text) pieces, as Django's formatter splits it."""
    pieces = []
    for index, piece in enumerate(re_formatchars.split(pattern)):
        if index % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


# What each format character's text depends on, so that a page of dates formats each month
# name, day, hour… once (`Dates`): Django's formatter looks every name up in the
# translation catalog again. A character not listed here is formatted every time.
_PIECE_KEYS = {
    **dict.fromkeys("bEFmMnN", attrgetter("month")),
    **dict.fromkeys("djS", attrgetter("day")),
    **dict.fromkeys("yYL", attrgetter("year")),
    **dict.fromkeys("DlwWzot", methodcaller("date")),
    **dict.fromkeys("aAgGhH", attrgetter("hour")),
    "i": attrgetter("minute"),
    "s": attrgetter("second"),
    **dict.fromkeys("fP", attrgetter("hour", "minute")),
    # The zone's name and offset; Django leaves them out for a time a clock change makes
    # ambiguous or skipped (django.utils.timezone._datetime_ambiguous_or_imaginary).
    **dict.fromkeys(
        "eOTZ",
        lambda local: (
            local.utcoffset(),
            local.tzname(),
            local.tzinfo.utcoffset(local.replace(fold=not local.fold)) != local.utcoffset(),
        ),
    ),
}


class Dates:
    """`when` for many dates in one language and zone: the formats and the zone are looked up once.

    The list formats two dates a row; `list_rows` makes one of these per page. It
    also remembers each formatted piece (a month's name, an hour and minute) for
    the dates after it.
    """

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.zone_name = escape(timezone.get_current_timezone_name())
        self.datetime_format = get_format("DATETIME_FORMAT")
        self.date_format = get_format("DATE_FORMAT")
        self.now = timezone.now()
        self.pieces = {}

    def format(self, local, pattern: str) -> str:
        """`django.utils.dateformat.format(local, pattern)`, each piece formatted once per page."""
        out = []
        formatter = None
        for code, text in _compiled(pattern):
            if not code:
                out.append(text)
                continue
            key_of = _PIECE_KEYS.get(text)
            key = (text, key_of(local)) if key_of else None
            piece = self.pieces.get(key) if key else None
            if piece is None:
                formatter = formatter or DateFormat(local)
                piece = str(getattr(formatter, text)())
                if key:
                    self.pieces[key] = piece
            out.append(piece)
        return "".join(out)

    def relative(self, value) -> str:
        """`naturaltime(value)` ("5 minutes ago"), worded once per page for each number of minutes…"""
        seconds = int(abs((self.now - value).total_seconds()))
        if seconds >= 3600:
            seconds -= seconds % 3600
        elif seconds >= 60:
            seconds -= seconds % 60
        key = ("relative", value < self.now, seconds)
        text = self.pieces.get(key)
        if text is None:
            text = self.pieces[key] = naturaltime(value)
        return text

    def when(self, value, style="datetime"):
        if not value:
            return "—"
        local = value.astimezone(self.zone)
        # The exact time with the zone's abbreviation, formatted once for the text and the tooltip.
        exact = escape(f"{self.format(local, self.datetime_format)} {self.format(local, 'T')}")
        if abs(self.now - value) < RECENT:
            text = escape(self.relative(value))
        elif style == "date":
            text = escape(self.format(local, self.date_format))
        else:
            text = exact
        stamp = local.isoformat(timespec="seconds")
        return mark_safe(f'<time datetime="{stamp}" title="{exact} ({self.zone_name})">{text}</time>')  # noqa: S308 -- escaped above


@register.filter
def when(value, style="datetime"):
    return Dates().when(value, style)
