"""Bidirectional text: what people wrote keeps its own direction inside a translated sentence."""

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
