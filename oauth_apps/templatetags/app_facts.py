"""The registered facts of an app for templates: `{% app_facts app as facts %}` (oauth_apps/facts.py)."""

from django import template

from ..facts import facts

register = template.Library()


@register.simple_tag
def app_facts(app):
    return facts(app)
