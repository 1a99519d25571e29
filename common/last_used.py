"""A "last used" time that costs no write per use.

Personal access tokens (clients_api/tokens.py) and the old secret of a rotating
client (oauth_apps/models.py) note when they were last used. Both rows are read
on every use anyway, so the value read tells whether a write is due: at most one
UPDATE per INTERVAL per row. The UPDATE is conditional, so of several workers
that read the same stale value only one writes. The time shown is therefore
accurate to INTERVAL.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

INTERVAL = timedelta(minutes=1)


def touch_last_used(model, pk, field: str, last: datetime | None) -> datetime:
    """Note a use of `model` row `pk` now in `field` (last read as `last`); return the value to keep."""
    now = timezone.now()
    if last is not None and now - last < INTERVAL:
        return last
    stale = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now - INTERVAL})
    model.objects.filter(stale, pk=pk).update(**{field: now})
    return now
