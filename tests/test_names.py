"""App names and descriptions: what a person reads is what is stored, and look-alikes are one name.

Every case goes through the real registration page (and the edit page where
it differs); the uniqueness pairs run on whichever database the suite uses, so
CI proves them on SQLite and on PostgreSQL.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.urls import reverse
from oauth2_provider.generators import generate_client_id

from oauth_apps.models import OAuthApplication
from oauth_apps.names import name_key, normalise_description, uniqueness_key, validate_name

from .conftest import png_bytes
from .helpers import form_post_data
from .test_registration import post_form, upload

CREATE_URL = reverse("oauth_apps:create")


def register(client, form_data, name, **extra):
    data = {**form_data, "name": name, **extra}
    return post_form(client, data)


def name_codes(response) -> set[str]:
    errors = response.context["form"].errors.as_data().get("name", [])
    return {error.code for error in errors}


def description_codes(response) -> set[str]:
    errors = response.context["form"].errors.as_data().get("description", [])
    return {error.code for error in errors}


HOSTILE_NAMES = [
    ("Nul\x00byte app", "control_character"),
    ("Bell\x07 app", "control_character"),
    ("Escape\x1b[31m app", "control_character"),
    ("Delete\x7f app", "control_character"),
    ("C1 \x85 next line", "control_character"),
    ("C1 \x9b csi", "control_character"),
    ("Two\nlines", "line_break"),
    ("Carriage\rreturn", "line_break"),
    ("\u202eevirD elgooG", "bidi_control"),
    ("Google \u202dDrive", "bidi_control"),
    ("Embedded \u202bright", "bidi_control"),
    ("Isolate \u2067tail\u2069", "bidi_control"),
    ("Mark \u200fRLM", "bidi_control"),
    ("Arabic \u061cmark", "bidi_control"),
    ("Goo\u200bgle", "invisible_character"),
    ("Goo\u200cgle", "invisible_character"),
    ("Goo\u200dgle", "invisible_character"),
    ("Word\u2060joiner", "invisible_character"),
    ("Invisible\u2062times", "invisible_character"),
    ("Soft\u00adhyphen", "invisible_character"),
    ("Mongolian\u180evowel", "invisible_character"),
    ("Hangul\u3164filler", "invisible_character"),
    ("Variation\ufe0fselector", "invisible_character"),
    ("\ufeffGoogle", "byte_order_mark"),
    ("Google\ufeff Drive", "byte_order_mark"),
    ("Tagged\U000e0067\U000e006f name", "tag_character"),
    ("Line\u2028separator", "line_separator"),
    ("Paragraph\u2029separator", "line_separator"),
    ("Private \ue000 use", "unassigned_character"),
    ("\u0410pple", "mixed_script"),  # Cyrillic А + Latin pple
    ("P\u0430yPal", "mixed_script"),  # Latin with Cyrillic а
    ("\u03a1aypal Pay", "mixed_script"),  # Greek Ρ + Latin
    ("Micr\u03bfsoft", "mixed_script"),  # Greek ο
]


@pytest.mark.parametrize(
    ("name", "code"), HOSTILE_NAMES, ids=[code + f"-{n}" for n, (_, code) in enumerate(HOSTILE_NAMES)]
)
def test_hostile_name_is_refused_with_its_code(user_client, form_data, name, code):
    response = register(user_client, form_data, name)
    assert response.status_code == 400
    assert code in name_codes(response)
    assert not OAuthApplication.objects.exists()


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u200b \u200b \u200b", "\u2060\ufeff\u200d"])
def test_name_of_nothing_visible_is_refused(user_client, form_data, name):
    response = register(user_client, form_data, name)
    assert response.status_code == 400
    assert name_codes(response) & {"invisible_only", "invisible_character"}
    assert not OAuthApplication.objects.exists()


def test_only_combining_marks_is_invisible_only(user_client, form_data):
    response = register(user_client, form_data, "\u0301\u0302\u0303")
    assert name_codes(response) == {"invisible_only"}


def test_each_kind_of_character_is_named_once(user_client, form_data):
    response = register(user_client, form_data, "A\u200bB\u200bC\u202eD\x07")
    assert name_codes(response) == {"invisible_character", "bidi_control", "control_character"}
    messages = response.context["form"].errors["name"]
    assert any("U+200B" in message for message in messages)


@pytest.mark.parametrize(
    "name",
    [
        "Календарь команды",  # Cyrillic
        "Σύνδεση λογαριασμού",  # Greek
        "Équipe Café Zürich",  # Latin with accents
        "日本語のアプリ",  # Han + Hiragana + Katakana
        "تقويم الفريق",  # Arabic, right to left, no bidi control needed
        "עוזר הצוות",  # Hebrew
        "Apple Календарь",  # two scripts, but each word in one
        "App 2.0 (beta) — ✓",
        "Ελληνικά ABC",
    ],
)
def test_ordinary_letters_of_every_script_are_accepted(user_client, form_data, name):
    response = register(user_client, form_data, name)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert OAuthApplication.objects.get().name == name


def test_name_is_stored_nfc_with_whitespace_collapsed(user_client, form_data):
    response = register(user_client, form_data, "  Cafe\u0301\u00a0 \t\u3000Team\u2003 Board ")
    assert response.status_code == 302
    app = OAuthApplication.objects.get()
    assert app.name == "Caf\u00e9 Team Board"
    assert app.name_key == name_key("café team board")


def test_description_keeps_line_breaks_but_refuses_the_rest(user_client, form_data):
    data = {**form_data, "description": "First  line\r\n\r\n\r\n\r\nCafe\u0301\tsecond\u00a0line  "}
    assert post_form(user_client, data).status_code == 302
    assert OAuthApplication.objects.get().description == "First line\n\nCaf\u00e9 second line"


@pytest.mark.parametrize(
    ("description", "code"),
    [
        ("Read \u202eevil", "bidi_control"),
        ("Zero\u200bwidth", "invisible_character"),
        ("Bell\x07", "control_character"),
        ("BOM\ufeff", "byte_order_mark"),
        ("Tag\U000e0041", "tag_character"),
        ("Line\u2028sep", "line_separator"),
        ("\u200b\u200b", "invisible_character"),
    ],
)
def test_hostile_description_is_refused_with_its_code(user_client, form_data, description, code):
    response = post_form(user_client, {**form_data, "description": description})
    assert response.status_code == 400
    assert code in description_codes(response)
    assert not OAuthApplication.objects.exists()


def test_edit_applies_the_same_rules(user_client, user, make_app):
    app, _ = make_app(user)
    data = form_post_data(app, name="Goo\u200bgle")
    response = user_client.post(reverse("oauth_apps:edit", args=[app.pk]), data)
    assert response.status_code == 400
    assert "invisible_character" in name_codes(response)
    app.refresh_from_db()
    assert app.name.startswith("App number")


def test_any_model_form_picks_the_rules_up(user):
    form_class = modelform_factory(OAuthApplication, fields=["name", "description"])
    form = form_class(data={"name": "  \u202eevirD   elgooG ", "description": "ok"})
    assert not form.is_valid()
    assert {error.code for error in form.errors.as_data()["name"]} == {"bidi_control"}
    form = form_class(data={"name": " Cafe\u0301   Board ", "description": "a\r\nb"})
    form.is_valid()
    assert form.cleaned_data["name"] == "Caf\u00e9 Board"
    assert form.cleaned_data["description"] == "a\nb"


def test_model_validation_refuses_what_the_form_would():
    with pytest.raises(ValidationError) as raised:
        validate_name("Goo\u200bgle")
    assert raised.value.error_list[0].code == "invisible_character"
    assert normalise_description("a\u2003 b") == "a b"


# --- uniqueness ------------------------------------------------------------------

# Each pair reads the same; the second must be refused whichever is registered first.
LOOK_ALIKES = [
    ("école", "ÉCOLE"),
    ("Über App", "über app"),
    ("Σύνδεση", "σύνδεση"),
    ("Caf\u00e9 Board", "Cafe\u0301 Board"),  # NFC against NFD
    ("\uff27\uff4f\uff4f\uff47\uff4c\uff45 \uff24\uff52\uff49\uff56\uff45", "Google Drive"),  # fullwidth
    ("One\u00a0Drive", "One Drive"),
    ("One  Drive", "One Drive"),
    ("Straße", "STRASSE"),
    ("\u0421\u043e\u0441\u0430", "Coca"),  # Cyrillic Сoса, every letter Cyrillic
    ("Paypal", "PAYPAL"),
    ("rnicrosoft", "microsoft"),  # UTS #39: rn reads as m
    ("Team C1oud", "Team Cloud"),  # digit one reads as l
]


@pytest.mark.parametrize(("first", "second"), LOOK_ALIKES)
def test_look_alike_names_have_one_key(first, second):
    assert uniqueness_key(first) == uniqueness_key(second)
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize("order", ["forward", "backward"])
@pytest.mark.parametrize(("first", "second"), LOOK_ALIKES)
def test_look_alike_name_is_refused_without_naming_the_owner(
    client, user, other_user, make_app, first, second, order
):
    if order == "backward":
        first, second = second, first
    make_app(other_user, name=first)
    client.force_login(user)
    data = {
        "name": second,
        "website_url": "https://x.example.com",
        "redirect_uris": ["https://x.example.com/cb"],
        "allowed_origins": ["https://x.example.com"],
        "scopes": ["files:read"],
        "privacy_policy_url": "https://x.example.com/p",
        "terms_of_service_url": "https://x.example.com/t",
        "icon": upload(png_bytes()),
        "save": "1",
    }
    response = client.post(CREATE_URL, data)
    assert response.status_code == 400
    assert name_codes(response) == {"name_taken"}
    page = response.content.decode()
    assert "An app named like this already exists" in page
    assert other_user.username not in page
    assert OAuthApplication.objects.count() == 1


def test_different_names_stay_different():
    names = ["Apple", "Apples", "App le", "Team Cloud", "Team Clouds", "Σύνδεση 2", "Календарь"]
    assert len({name_key(name) for name in names}) == len(names)


def test_database_refuses_a_look_alike_written_past_the_form(user, make_app):
    make_app(user, name="Google Drive")
    # The same valid row saved again as a new app (its own client ID), under a look-alike name.
    twin = OAuthApplication.objects.get()
    twin.pk, twin._state.adding, twin.client_id = None, True, generate_client_id()
    twin.name = "GOOGLE  DRIVE"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.name = "Google Drive Two"
    twin.save()  # the name was all that stood in the way


def test_renaming_to_a_look_alike_is_refused_and_to_itself_allowed(user_client, user, make_app):
    make_app(user, name="Google Drive")
    mine, _ = make_app(user, name="My Board")
    url = reverse("oauth_apps:edit", args=[mine.pk])
    data = form_post_data(mine)
    response = user_client.post(url, {**data, "name": "google\u00a0drive"})
    assert response.status_code == 400
    assert name_codes(response) == {"name_taken"}
    response = user_client.post(url, {**data, "name": "MY  BOARD"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "MY BOARD"
    assert mine.name_key == name_key("My Board")


@pytest.mark.django_db(transaction=True)
def test_migration_fills_keys_and_keeps_existing_look_alikes(user):
    """Apps saved before the key existed get theirs; of two that already read the same, both stay."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("oauth_apps", "0003_audit_version_and_list_indexes")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("oauth_apps")
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        icon_model = old_apps.get_model("oauth_apps", "Icon")
        application_model = old_apps.get_model("oauth_apps", "OAuthApplication")
        icon = icon_model.objects.create(sha256="a" * 64, content_type="image/png", data=b"x")
        common = {
            "user_id": user.pk,
            "icon_id": icon.pk,
            "scope_bits": 1,
            "website_url": "https://a.example.com",
            "privacy_policy_url": "https://a.example.com/p",
            "terms_of_service_url": "https://a.example.com/t",
            "redirect_uris": "https://a.example.com/cb",
            "client_type": "confidential",
            "authorization_grant_type": "authorization-code",
        }
        # Lower(name) lets these coexist (Cyrillic is not Latin; on SQLite, LOWER is ASCII-only).
        # PostgreSQL's LOWER knows É, but not that a trailing space changes nothing.
        names = ["école", "ÉCOLE" if connection.vendor == "sqlite" else "ÉCOLE "]
        for n, name in enumerate([*names, "\u0421\u043e\u0441\u0430", "Coca"]):
            application_model.objects.create(name=name, client_id=f"client-{n}", **common)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
        keys = dict(OAuthApplication.objects.values_list("name", "name_key"))
        assert keys["école"] == name_key("école")
        assert keys[names[1]] == f"duplicate-{OAuthApplication.objects.get(name=names[1]).pk}"
        assert keys["\u0421\u043e\u0441\u0430"] == name_key("coca")
        assert keys["Coca"].startswith("duplicate-")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)


def _self_registered(app, source):
    OAuthApplication.objects.filter(pk=app.pk).update(registration_source=source, user=None)
    app.refresh_from_db()
    app.save()  # the key follows the source
    app.refresh_from_db()
    return app


@pytest.mark.parametrize("source", ["cimd", "dcr"])
def test_self_registered_clients_may_share_a_name_but_never_a_portal_apps(make_app, user, source):
    from oauth_apps.models import RegistrationSource

    portal_app, _ = make_app(user, name="DocSpace Sync")
    first = _self_registered(make_app(user, name="Claude Code")[0], source)
    # Another self-registered client under the same name: its key is its own client ID's.
    second = _self_registered(make_app(user, name="Claude Code 2")[0], source)
    OAuthApplication.objects.filter(pk=second.pk).update(name="Claude Code")
    second.refresh_from_db()
    second.save()
    assert {first.name, second.name} == {"Claude Code"}
    assert first.name_key != second.name_key != name_key("Claude Code")
    assert first.stored_name_key() == first.name_key
    # A self-registered client never blocks a name…
    assert not OAuthApplication.objects.name_taken("Claude Code")
    # …and is refused one that reads like a portal app's, whatever the look-alike.
    assert OAuthApplication.objects.name_taken("Docspace  SYNC")
    assert OAuthApplication.objects.name_taken("DоcSpace Sync")  # Cyrillic о
    assert not OAuthApplication.objects.name_taken("DocSpace Sync", exclude_pk=portal_app.pk)
    assert portal_app.registration_source == RegistrationSource.PORTAL
