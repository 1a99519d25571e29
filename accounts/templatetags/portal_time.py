"""Dates as people read them: in their zone, with the zone named, recent ones relative.

`{{ value|when }}` renders `<time datetime="2026-12-01T12:44:03+01:00"
title="Dec. 1, 2026, 12:44 p.m. CET (Europe/Berlin)">5 minutes ago</time>`;
older values show the exact date and time with the zone's abbreviation instead of
the relative text. `{{ value|when:"date" }}` shows only the date for older values.
"""

from datetime import time, timedelta
from functools import lru_cache
from html import escape
from operator import attrgetter, methodcaller

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars
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

# Format characters that depend only on the hour and the minute, and those that depend only on the
# calendar day; a language whose date formats are made of these and literal text has each row's
# date text put together from a text per day and a text per hour and minute (`Dates.when`).
_TIME_CODES = frozenset("aAgGhHifP")
_DAY_CODES = frozenset("bEFmMnNdjSyYLDlwWzot")


@lru_cache(maxsize=64)
def _split(pattern: str) -> tuple[tuple[tuple[bool, str], ...], ...] | None:
    """The pattern's pieces in runs alternating day, time, day, …, day (a run may be empty).

    None when a piece depends on more than the calendar day or the hour and minute.
    """
    runs = [[]]
    for code, text in _compiled(pattern):
        if code and text not in _TIME_CODES and text not in _DAY_CODES:
            return None
        if code and (text in _TIME_CODES) != (len(runs) % 2 == 0):
            runs.append([])
        runs[-1].append((code, text))
    if len(runs) % 2 == 0:
        runs.append([])
    return tuple(tuple(run) for run in runs)


class _PageClock(TimeFormat):
    """Django's `TimeFormat` for an hour and minute, "a.m."/"p.m." translated once per page.

    `P` ("2:05 p.m.") asks the translation catalog for "p.m." each time; a page shows many times.
    """

    def __init__(self, hour: int, minute: int, words: dict):
        super().__init__(time(hour, minute))
        self.words = words

    def a(self):
        key = ("word a", self.data.hour > 11)
        word = self.words.get(key)
        if word is None:
            word = self.words[key] = super().a()
        return word

    def A(self):  # noqa: N802 -- Django's format character
        key = ("word A", self.data.hour > 11)
        word = self.words.get(key)
        if word is None:
            word = self.words[key] = super().A()
        return word


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
        # Escaped texts by calendar day, by hour and minute and by zone, when the language's
        # formats split that way (every language the portal has does: `_split`).
        self.days = {}
        self.dates = {}
        self.times = {}
        self.zones = {}
        # (day, time, day) pieces of the date-time format, and the date format's (all day) pieces.
        self.datetime_runs = _split(self.datetime_format)
        date_runs = _split(self.date_format)
        if not (self.datetime_runs and len(self.datetime_runs) == 3 and date_runs and len(date_runs) == 1):
            self.datetime_runs = None
        self.date_pieces = date_runs[0] if self.datetime_runs else None

    def format(self, local, pattern: str) -> str:
        """`django.utils.dateformat.format(local, pattern)`, each piece formatted once per page."""
        return self._format(local, _compiled(pattern))

    def _format(self, local, pieces) -> str:
        out = []
        formatter = None
        for code, text in pieces:
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

    def _exact(self, local, stamp: str) -> str:
        """The date and time with the zone's abbreviation, escaped, from texts remembered for the page:
        by calendar day, by hour and minute, and by zone (offset, abbreviation, and whether a clock
        change makes the time ambiguous or skipped, when Django leaves the abbreviation out).

        `stamp` is `local.isoformat(timespec="seconds")`, whose date and hour:minute are the keys.
        """
        day = self.days.get(stamp[:10])
        if day is None:
            before, _times, after = self.datetime_runs
            day = self.days[stamp[:10]] = (
                escape(self._format(local, before)),
                escape(self._format(local, after)) if after else "",
            )
        time_text = self.times.get(stamp[11:16])
        if time_text is None:
            time_text = self.times[stamp[11:16]] = escape(self._clock(local))
        offset = local.utcoffset()
        zone_key = (offset, local.tzname(), local.replace(fold=not local.fold).utcoffset() != offset)
        zone = self.zones.get(zone_key)
        if zone is None:
            zone = self.zones[zone_key] = escape(DateFormat(local).T())
        return f"{day[0]}{time_text}{day[1]} {zone}"

    def _clock(self, local) -> str:
        """The time pieces of the date-time format, each remembered for the page by what it depends on."""
        out = []
        clock = None
        for code, text in self.datetime_runs[1]:
            if not code:
                out.append(text)
                continue
            key = (text, _PIECE_KEYS[text](local))
            piece = self.pieces.get(key)
            if piece is None:
                clock = clock or _PageClock(local.hour, local.minute, self.pieces)
                piece = self.pieces[key] = str(getattr(clock, text)())
            out.append(piece)
        return "".join(out)

    def _date(self, local, stamp: str) -> str:
        """The date alone, escaped, remembered for the page by calendar day."""
        text = self.dates.get(stamp[:10])
        if text is None:
            text = self.dates[stamp[:10]] = escape(self._format(local, self.date_pieces))
        return text

    def when(self, value, style="datetime"):
        if not value:
            return "—"
        local = value.astimezone(self.zone)
        stamp = local.isoformat(timespec="seconds")
        if self.datetime_runs is not None:
            exact = self._exact(local, stamp)
        else:
            # The exact time with the zone's abbreviation, formatted once for the text and the tooltip.
            exact = escape(f"{self.format(local, self.datetime_format)} {self.format(local, 'T')}")
        if abs(self.now - value) < RECENT:
            text = escape(self.relative(value))
        elif style == "date":
            if self.datetime_runs is not None:
                text = self._date(local, stamp)
            else:
                text = escape(self.format(local, self.date_format))
        else:
            text = exact
        return mark_safe(f'<time datetime="{stamp}" title="{exact} ({self.zone_name})">{text}</time>')  # noqa: S308 -- escaped above


@register.filter
def when(value, style="datetime"):
    return Dates().when(value, style)
