"""`manage.py prune_authorization_codes`: the code-reuse records do not pile up forever."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from authserver.models import AuthorizationCodeRecord


def prune(*args):
    out = StringIO()
    call_command("prune_authorization_codes", *args, stdout=out)
    return out.getvalue()


def record(app, *, hours_old):
    made = AuthorizationCodeRecord.objects.create(
        code_checksum=f"{hours_old:064d}", application=app, redirect_uri_in_request=True
    )
    AuthorizationCodeRecord.objects.filter(pk=made.pk).update(
        created=timezone.now() - timedelta(hours=hours_old)
    )
    return made


def test_records_past_the_window_go_and_recent_ones_stay(make_app, user):
    app, _ = make_app(user)
    old, recent = record(app, hours_old=25), record(app, hours_old=23)
    assert "Removed 1 authorization code record(s) older than 24 h." in prune()
    assert list(AuthorizationCodeRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuthorizationCodeRecord.objects.filter(pk=old.pk).exists()


def test_the_window_can_be_shortened_but_not_to_nothing(make_app, user):
    app, _ = make_app(user)
    record(app, hours_old=3)
    assert "Removed 1" in prune("--older-than-hours", "2")
    with pytest.raises(CommandError, match="at least 1"):
        prune("--older-than-hours", "0")
