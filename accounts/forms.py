from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import timezones
from .models import Profile


class ProfileSettingsForm(forms.ModelForm):
    """What a person sets for themselves (Settings → Your settings)."""

    class Meta:
        model = Profile
        fields = ["time_zone"]

    def __init__(self, *args, browser_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if browser_zone:
            follow = _("Follow my browser (now %(zone)s)") % {"zone": browser_zone}
        else:
            follow = _("Follow my browser (not known: %(zone)s is used)") % {"zone": settings.TIME_ZONE}
        choices = [("", follow), *timezones.grouped_choices()]
        stored = self.instance.time_zone
        offered = {zone for _area, group in choices[1:] for zone, _label in group}
        if stored and timezones.is_valid(stored) and stored not in offered:
            choices.append((stored, stored))  # a legacy name chosen elsewhere stays selectable
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=choices,
            required=False,
            help_text=_(
                "Dates and times are shown in this zone. Following the browser needs JavaScript; "
                "without it the portal uses %(zone)s."
            )
            % {"zone": settings.TIME_ZONE},
        )
