"""Issue 15's "Done when" for secrets: an app keeps running through a secret rotation.

Several running instances of one confidential client keep refreshing their tokens
(each refresh authenticates the client with its secret) while the owner rotates
the secret, the instances move to the new one one by one, and the grace period
runs out — or the owner ends it early. A clock that the test moves forward
stands in for the hours passing between the requests.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oauth_apps.models import OAuthApplication

from .conftest import TOKEN_URL
from .test_token import basic, exchange


@pytest.fixture
def clock(monkeypatch):
    """Django's (and the toolkit's) `timezone.now`, moved forward by `clock.advance`."""

    class Clock:
        offset = timedelta(0)

        def advance(self, delta: timedelta):
            self.offset += delta

    real_now = timezone.now
    the_clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + the_clock.offset)
    return the_clock


@dataclass
class Instance:
    """One running copy of the client app: the secret in its configuration and its refresh token."""

    name: str
    secret: str
    refresh_token: str
    failures: list = field(default_factory=list)
    successes: int = 0

    def refresh(self, client: Client, app, when: timedelta):
        response = client.post(
            TOKEN_URL,
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token},
            headers=basic(app.client_id, self.secret),
        )
        if response.status_code == 200:
            self.refresh_token = response.json()["refresh_token"]
            self.successes += 1
        else:
            self.failures.append((when, response.status_code, response.json()))
        return response


def start_instances(flow, app, secret, names):
    instances = []
    for name in names:
        code = flow.code(app)
        tokens = exchange(Client(), app, code, flow.verifier, secret=secret).json()
        instances.append(Instance(name, secret, tokens["refresh_token"]))
    return instances


def new_secret_from_the_credentials_page(owner_client, app) -> str:
    return owner_client.get(reverse("oauth_apps:credentials", args=[app.pk])).context["secret"]


def test_no_request_fails_while_both_secrets_work_and_the_old_fails_after_expiry(
    flow, confidential_app, user_client, clock
):
    app, old_secret = confidential_app
    first, second, laggard = start_instances(flow, app, old_secret, ["first", "second", "laggard"])
    instances = [first, second, laggard]
    tokens_client = Client()
    step = timedelta(minutes=5)
    elapsed = timedelta(0)
    rotated_at = expires_at = None

    # Every 5 minutes each instance refreshes; 2 hours in all.
    for tick in range(24):
        if tick == 2:
            # The owner rotates on the page with a 1-hour grace period.
            response = user_client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), {"grace": "3600"})
            assert response.status_code == 302
            new_secret = new_secret_from_the_credentials_page(user_client, app)
            rotated_at = elapsed
            expires_at = OAuthApplication.objects.get(pk=app.pk).previous_secret_expires
        if tick == 4:
            first.secret = new_secret
        if tick == 9:
            second.secret = new_secret
        for instance in instances:
            instance.refresh(tokens_client, app, elapsed)
        clock.advance(step)
        elapsed += step

    # The instances that moved in time never saw a failure, before, during or after.
    assert first.failures == []
    assert second.failures == []
    assert first.successes == second.successes == 24
    # The one that never moved worked throughout the grace period, then failed
    # exactly as a wrong secret does, from the moment the old secret expired.
    grace_end = rotated_at + timedelta(hours=1)
    assert laggard.successes == len([t for t in range(24) if step * t < grace_end])
    assert laggard.failures
    assert all(when >= grace_end for when, _status, _error in laggard.failures)
    assert timezone.now() > expires_at
    wrong = tokens_client.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": laggard.refresh_token},
        headers=basic(app.client_id, "not-the-secret"),
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert {(status, str(body)) for _when, status, body in laggard.failures} == {(401, str(wrong.json()))}


def test_no_request_fails_until_the_owner_ends_the_old_secret_through_the_api(
    flow, confidential_app, client, api_token, user, clock
):
    app, old_secret = confidential_app
    first, laggard = start_instances(flow, app, old_secret, ["first", "laggard"])
    tokens_client = Client()
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    elapsed = timedelta(0)

    for tick in range(12):
        if tick == 1:
            response = client.post(
                reverse("clients_api:rotate_secret", args=[app.pk]),
                {"grace_seconds": 86400},
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == 200, response.content
            new_secret = response.json()["client_secret"]
        if tick == 3:
            first.secret = new_secret
        if tick == 6:
            # Every instance that matters moved: the owner sees the old secret's
            # last use and ends it.
            ended = client.post(reverse("clients_api:end_rotation", args=[app.pk]), headers=headers)
            assert ended.status_code == 200
            assert ended.json()["changed"] == ["secret_rotation"]
            ended_at = elapsed
        for instance in (first, laggard):
            instance.refresh(tokens_client, app, elapsed)
        clock.advance(timedelta(minutes=10))
        elapsed += timedelta(minutes=10)

    assert first.failures == []
    assert first.successes == 12
    assert laggard.successes == 6
    assert [when for when, _s, _e in laggard.failures] == [
        ended_at + timedelta(minutes=10) * n for n in range(6)
    ]
    assert {body["error"] for _w, _s, body in laggard.failures} == {"invalid_client"}
