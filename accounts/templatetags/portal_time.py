"""Dates as people read them: in their zone, with the zone named, recent ones relative.

`{{ value|when }}` renders `<time datetime="2026-12-01T12:44:03+01:00"
title="Dec. 1, 2026, 12:44 p.m. CET (Europe/Berlin)">5 minutes ago</time>`;
older values show the exact date and time with the zone's abbreviation instead of
the relative text. `{{ value|when:"date" }}` shows only the date for older values.
"""

from datetime import timedelta
from functools import lru_cache

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.html import format_html

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


def _format(formatter: DateFormat, pattern: str) -> str:
    """`django.utils.dateformat.format`, with the split of the pattern remembered."""
    return "".join(str(getattr(formatter, text)()) if code else text for code, text in _compiled(pattern))


class Dates:
    """`when` for many dates in one language and zone: the formats and the zone are looked up once.

    The list formats two dates a row; `list_rows` makes one of these per page.
    """

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.zone_name = timezone.get_current_timezone_name()
        self.datetime_format = get_format("DATETIME_FORMAT")
        self.date_format = get_format("DATE_FORMAT")
        self.now = timezone.now()

    def when(self, value, style="datetime"):
        if not value:
            return "—"
        local = value.astimezone(self.zone)
        formatter = DateFormat(local)
        # The exact time with the zone's abbreviation, formatted once for the text and the tooltip.
        exact = f"{_format(formatter, self.datetime_format)} {_format(formatter, 'T')}"
        if abs(self.now - value) < RECENT:
            text = naturaltime(value)
        elif style == "date":
            text = _format(formatter, self.date_format)
        else:
            text = exact
        return format_html(
            '<time datetime="{}" title="{} ({})">{}</time>',
            local.isoformat(timespec="seconds"),
            exact,
            self.zone_name,
            text,
        )


@register.filter
def when(value, style="datetime"):
    return Dates().when(value, style)
