"""Small builders shared by the management tests."""

import base64
import threading
from datetime import timedelta

from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import Request


def give_tokens(app, user):
    """One access token, refresh token and grant for `app`, as a user's authorization leaves them."""
    soon = timezone.now() + timedelta(minutes=5)
    access = get_access_token_model().objects.create(
        user=user, application=app, token=f"at-{app.pk}", expires=soon, scope="files:read"
    )
    get_refresh_token_model().objects.create(
        user=user, application=app, token=f"rt-{app.pk}", access_token=access
    )
    get_grant_model().objects.create(
        user=user, application=app, code=f"code-{app.pk}", expires=soon, redirect_uri=app.redirect_uri_list[0]
    )


def token_count(app_pk) -> int:
    return sum(
        model.objects.filter(application_id=app_pk).count()
        for model in (get_access_token_model(), get_refresh_token_model(), get_grant_model())
    )


def client_authenticates(client_id: str, secret: str) -> bool:
    """Whether the token endpoint's validator would accept these credentials (HTTP Basic)."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = Request(
        "https://portal.example/o/token/",
        http_method="POST",
        body={"grant_type": "authorization_code"},
        headers={"HTTP_AUTHORIZATION": f"Basic {basic}"},
    )
    request.grant_type = "authorization_code"
    return bool(oauth2_settings.OAUTH2_VALIDATOR_CLASS().authenticate_client(request))


def valid_form(data: dict, *, instance=None):
    """The registration (or, with `instance`, edit) form bound to `data` as a page posts it.

    `data["icon"]` may be a checked icon (CleanIcon), as the views hand a parked one over.
    """
    from oauth_apps.forms import ApplicationEditForm, ApplicationForm

    data = dict(data)
    icon = data.pop("icon", None)
    form_class = ApplicationForm if instance is None else ApplicationEditForm
    form = form_class(data, {"icon": icon} if icon is not None else {}, instance=instance)
    assert form.is_valid(), form.errors.as_data()
    return form


def register(owner, data: dict):
    """Register through the real form and service; returns (app, secret)."""
    from oauth_apps.services import register_application

    form = valid_form(data)
    return register_application(form.instance, user=owner, icon=form.cleaned_data["icon"])


def form_post_data(app, **overrides) -> dict:
    """What the edit page posts when nothing was touched: every field the form has, read from the form."""
    from oauth_apps.forms import ApplicationEditForm

    form = ApplicationEditForm(instance=app)
    data = {form[name].html_name: form[name].value() for name in form.fields if name != "icon"}
    data = {key: value for key, value in data.items() if value is not False}
    return {**data, "save": "1", **overrides}


def edit_form(app, **overrides):
    """A valid edit form for `app` with `overrides` typed in (what update_application takes)."""
    return valid_form(form_post_data(app, **overrides), instance=app)


def run_in_threads(*calls, timeout=30):
    """Run each call in a thread of its own, all at once, and wait for every one (within `timeout`
    seconds each: a call that hangs fails the test instead of hanging it)."""
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
