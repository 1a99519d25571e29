"""The renderer every form of the portal uses."""

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    """Fields render through one template, so labels, help and errors look alike everywhere."""

    field_template_name = "oauth_apps/field.html"
