from zoneinfo import ZoneInfo

from django.utils import timezone

from .timezones import zone_for


class TimeZoneMiddleware:
    """Show every date in the viewer's zone (see accounts/timezones.py); needs request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.time_zone = zone_for(request)
        timezone.activate(ZoneInfo(request.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
