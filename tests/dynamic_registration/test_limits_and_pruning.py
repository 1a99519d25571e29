"""The per-address rate limit, and the removal of clients that never obtained a token."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dynamic_registration import services
from dynamic_registration.models import ClientRegistration
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication
from tests.test_configuration import manage


def test_registrations_are_limited_per_address(registrar, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "client_registration": "2/h"}
    assert registrar.register().status_code == 201
    assert registrar.register().status_code == 201
    response = registrar.register()
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_requests"
    assert int(response["Retry-After"]) > 0
    assert OAuthApplication.objects.count() == 2
    # Another address is counted apart.
    other = registrar.client.post(
        "/oauth/register", "{}", content_type="application/json", REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 400


def test_the_default_limit_is_documented(settings):
    assert settings.RATE_LIMITS["client_registration"] == "20/h"


def test_a_malformed_unused_time_stops_the_start_and_names_the_variable(tmp_path):
    result = manage(tmp_path, "check", DYNAMIC_REGISTRATION_UNUSED_HOURS="1d")
    assert result.returncode != 0
    assert "DYNAMIC_REGISTRATION_UNUSED_HOURS='1d'" in result.stderr


def age(client_id: str, hours: float) -> None:
    ClientRegistration.objects.filter(application__client_id=client_id).update(
        created=timezone.now() - timedelta(hours=hours)
    )


@pytest.fixture
def three_clients(registrar):
    """An old unused client, an old client that got a token, and a new unused one."""
    stale, used, fresh = (registrar.registered()["client_id"] for _ in range(3))
    age(stale, 25)
    age(used, 25)
    ClientRegistration.objects.filter(application__client_id=used).update(first_token_at=timezone.now())
    age(fresh, 23)
    return stale, used, fresh


def test_unused_clients_are_removed_after_the_allowed_time_and_audited(three_clients):
    stale, used, fresh = three_clients
    assert services.prune_unused() == 1
    remaining = set(OAuthApplication.objects.values_list("client_id", flat=True))
    assert remaining == {used, fresh}
    event = AuditEvent.objects.get(client_id=stale, action=AuditAction.DELETE)
    assert event.actor is None
    assert event.via == services.VIA_PRUNING


def test_the_allowed_time_is_configurable(three_clients, settings):
    settings.DYNAMIC_REGISTRATION_UNUSED_HOURS = 48
    assert services.prune_unused() == 0
    settings.DYNAMIC_REGISTRATION_UNUSED_HOURS = 1
    assert services.prune_unused() == 2


def test_the_management_command_prunes(three_clients):
    out = StringIO()
    call_command("prune_registrations", stdout=out)
    assert "Removed 1 unused self-registered client(s)." in out.getvalue()
    assert OAuthApplication.objects.count() == 2


def test_portal_apps_are_never_pruned(make_app, user, three_clients):
    app, _secret = make_app(user)
    OAuthApplication.objects.filter(pk=app.pk).update(created=timezone.now() - timedelta(days=30))
    services.prune_unused()
    assert OAuthApplication.objects.filter(pk=app.pk).exists()


def test_registering_prunes_now_and_then(registrar, three_clients):
    stale, _used, _fresh = three_clients
    # The fixture's registrations ran the pruning already (nothing was old then): let it run again.
    from django.core.cache import cache

    cache.delete(services.PRUNE_CACHE_KEY)
    registrar.registered()
    assert not OAuthApplication.objects.filter(client_id=stale).exists()
    # Within the interval, a registration does not prune again.
    another = registrar.registered()["client_id"]
    age(another, 25)
    registrar.registered()
    assert OAuthApplication.objects.filter(client_id=another).exists()
