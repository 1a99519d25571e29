"""The audit trail in words for templates: `{% for entry in events|history_entries %}`."""

from django import template

from ..history import entries

register = template.Library()


@register.filter
def history_entries(events):
    return entries(events)
