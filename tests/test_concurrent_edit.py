"""Two people save the same app at the same moment: the database lets exactly one through.

PostgreSQL only: two real connections in two threads race their conditional
UPDATEs. SQLite serialises all writers anyway, so the race cannot happen there.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from oauth_apps import services
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .helpers import edit_form, run_in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL to point at PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_simultaneous_saves_wins(user, make_app):
    app, _ = make_app(user)
    start = threading.Barrier(2)
    outcomes = {}

    def save(description):
        try:
            # Each thread loads the app itself (version 1), then both write at once.
            mine = OAuthApplication.objects.get(pk=app.pk)
            start.wait(timeout=10)
            services.update_application(edit_form(mine, description=description, version=1), actor=user)
            outcomes[description] = "saved"
        except services.EditConflict:
            outcomes[description] = "conflict"
        finally:
            connections.close_all()

    run_in_threads(lambda: save("first"), lambda: save("second"))

    app.refresh_from_db()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    assert (app.description, app.version) == (winner, 2)
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.UPDATE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_the_other_transaction_and_then_conflicts(user, make_app):
    """Hold the first UPDATE's row lock open; the second must block, then see version 2 and refuse."""
    app, _ = make_app(user)
    second_started = threading.Event()
    result = {}

    def second():
        try:
            mine = OAuthApplication.objects.get(pk=app.pk)
            second_started.set()
            services.update_application(edit_form(mine, description="second", version=1), actor=user)
            result["second"] = "saved"
        except services.EditConflict:
            result["second"] = "conflict"
        finally:
            connections.close_all()

    with transaction.atomic():
        first = OAuthApplication.objects.get(pk=app.pk)
        services.update_application(edit_form(first, description="first", version=1), actor=user)
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait(timeout=10)
        thread.join(timeout=1)
        assert thread.is_alive()  # blocked on our row lock, not deciding on stale data
    thread.join(timeout=30)
    app.refresh_from_db()
    assert result == {"second": "conflict"}
    assert app.description == "first"
