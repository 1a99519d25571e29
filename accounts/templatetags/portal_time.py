"""Dates as people read them: in their zone, with the zone named, recent ones relative.

`{{ value|when }}` renders `<time datetime="2026-12-01T12:44:03+01:00"
title="Dec. 1, 2026, 12:44 p.m. CET (Europe/Berlin)">5 minutes ago</time>`;
older values show the exact date and time with the zone's abbreviation instead of
the relative text. `{{ value|when:"date" }}` shows only the date for older values.
"""

from datetime import timedelta

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.dateformat import format as date_pattern
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()

# Within this distance of now a time reads better as "5 minutes ago" / "in 59 minutes".
RECENT = timedelta(hours=24)


def exact(local) -> str:
    """The full date and time with the zone's abbreviation and name: the tooltip's text."""
    zone = timezone.get_current_timezone_name()
    return f"{date_format(local, 'DATETIME_FORMAT')} {date_pattern(local, 'T')} ({zone})"


@register.filter
def when(value, style="datetime"):
    if not value:
        return "—"
    local = timezone.localtime(value)
    if abs(timezone.now() - value) < RECENT:
        text = naturaltime(value)
    elif style == "date":
        text = date_format(local, "DATE_FORMAT")
    else:
        text = f"{date_format(local, 'DATETIME_FORMAT')} {date_pattern(local, 'T')}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', local.isoformat(timespec="seconds"), exact(local), text
    )
