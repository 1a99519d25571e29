"""What the database itself refuses, whatever the form says."""

import pytest
from django.db import IntegrityError, transaction

from oauth_apps.models import OAuthApplication
from oauth_apps.scopes import ALL_SCOPE_BITS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "ab"),
        ("client_type", "sneaky"),
        ("authorization_grant_type", OAuthApplication.GRANT_PASSWORD),
        ("scope_bits", 0),
        # The first bit no scope uses (the catalog grows by new bits).
        ("scope_bits", ALL_SCOPE_BITS + 1),
        ("website_url", ""),
        ("redirect_uris", ""),
    ],
)
def test_database_refuses_invalid_rows(user, make_app, field, value):
    app, _ = make_app(user)
    setattr(app, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        app.save()


def test_database_refuses_names_differing_only_in_case(user, make_app):
    app, _ = make_app(user, name="Google Drive")
    app.pk, app.client_id, app.name = None, "another-client-id", "GOOGLE drive"
    with pytest.raises(IntegrityError), transaction.atomic():
        app.save()
