"""Every error code of the registration form (docs/error-codes.md) comes back from the API unchanged.

The table is read from the document, its field labels are matched to the form's
own labels, and each code is provoked through the API and through the page: both
must report the same field and code. The same for the table of rotating a secret.
"""

import base64
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oauth_apps.forms import ApplicationForm
from oauth_apps.icons import MAX_ICON_BYTES
from oauth_apps.models import MAX_ALLOWED_ORIGINS, MAX_REDIRECT_URIS, OAuthApplication

DOC = Path(__file__).resolve().parent.parent / "docs" / "error-codes.md"
ROW = re.compile(r"^\| ([^|]+?) \| ([^|]+?) \|")


ROTATION_HEADING = "## Rotating a secret"


def table_lines(section: str) -> list[str]:
    """The lines of the registration form's part of the document, or of the rotation section."""
    text = DOC.read_text()
    registration, _heading, rotation = text.partition(ROTATION_HEADING)
    return (rotation if section == "rotation" else registration).splitlines()


def documented_codes() -> list[tuple[str, str]]:
    """(form field name, code) for every code the registration table lists."""
    form = ApplicationForm()
    by_label = {str(field.label): name for name, field in form.fields.items()}
    rows = []
    for line in table_lines("registration"):
        match = ROW.match(line)
        if not match or match.group(1) in ("field", "---"):
            continue
        labels, codes = match.groups()
        for label in labels.split(", "):
            for code in re.findall(r"`([a-z_]+)`", codes):
                rows.append((by_label[label], code))
    return rows


# How to provoke each code: changes to a valid registration (None removes the field).
TRIGGERS = {
    ("name", "required"): {"name": "   "},
    ("name", "min_length"): {"name": "ab"},
    ("name", "max_length"): {"name": "n" * 256},
    ("name", "name_taken"): {"name": "TAKEN name"},
    ("description", "max_length"): {"description": "d" * 256},
    ("name", "line_break"): {"name": "Two\nlines"},
    ("name", "mixed_script"): {"name": "\u0410pple Calendar"},
    ("name", "null_characters_not_allowed"): {"name": "Nul\x00name"},
    **{
        (field, code): {field: text}
        for field in ("name", "description")
        for code, text in {
            "control_character": "Bell\x07here",
            "line_separator": "One\u2028two",
            "bidi_control": "Abc\u202edef",
            "invisible_character": "Ab\u200bcd",
            "byte_order_mark": "Ab\ufeffcd",
            "tag_character": "Abc\U000e0041",
            "unassigned_character": "Abc\ue000",
            "invisible_only": "\u0301\u0301\u0301",
        }.items()
    },
    ("icon", "icon_required"): {"icon": None},
    ("icon", "icon_too_large"): {"icon": base64.b64encode(b"\x89PNG" + b"\0" * MAX_ICON_BYTES).decode()},
    ("redirect_uris", "redirect_uris_required"): {"redirect_uris": []},
    ("redirect_uris", "redirect_uris_too_many"): {
        "redirect_uris": [f"https://app.example.com/cb{n}" for n in range(MAX_REDIRECT_URIS + 1)]
    },
    ("allowed_origins", "allowed_origins_required"): {"allowed_origins": []},
    ("allowed_origins", "allowed_origins_too_many"): {
        "allowed_origins": [f"https://o{n}.example.com" for n in range(MAX_ALLOWED_ORIGINS + 1)]
    },
    ("scope_bits", "required"): {"scopes": []},
    ("scope_bits", "invalid_choice"): {"scopes": ["files:read", "everything"]},
}


def test_every_documented_code_has_a_trigger_here():
    assert set(documented_codes()) == set(TRIGGERS)


@pytest.fixture
def registration(form_data, png_icon, make_app, other_user):
    make_app(other_user, name="Taken Name")
    data = {key: value for key, value in form_data.items() if key != "save"}
    return {**data, "icon": base64.b64encode(png_icon).decode()}


@pytest.mark.parametrize(("field", "code"), documented_codes())
def test_the_api_reports_the_pages_code(api, user_client, registration, field, code):
    data = {**registration, **TRIGGERS[(field, code)]}
    data = {key: value for key, value in data.items() if value is not None}
    html_name = ApplicationForm()[field].html_name

    response = api("createClient", json=data, check_request=False)
    assert response.status_code == 400
    assert (html_name, code) in {(error["field"], error["code"]) for error in response.json()["errors"]}

    page_data = {**data, "save": "1"}
    if "icon" in page_data:
        page_data["icon"] = SimpleUploadedFile("icon.png", base64.b64decode(page_data["icon"]))
    page = user_client.post(reverse("oauth_apps:create"), page_data)
    assert page.status_code == 400
    assert page.context["form"].has_error(field, code)
    assert OAuthApplication.objects.count() == 1  # only the app holding the taken name


# --- rotating a secret -----------------------------------------------------------------


def documented_rotation_codes() -> list[str]:
    codes = []
    for line in table_lines("rotation"):
        match = ROW.match(line)
        if match and match.group(1) not in ("field (page / API)", "---"):
            codes.extend(re.findall(r"`([a-z_]+)`", match.group(2)))
    return codes


def rotation_setup(code, make_app, user):
    """An app (and what the page and the API send) that provokes `code`."""
    from oauth_apps import services

    if code == "public_client":
        app, _ = make_app(user, public_client=True)
        return app, {"grace": "3600"}, {}
    app, _ = make_app(user)
    if code == "rotation_in_progress":
        services.rotate_secret(app, actor=user)
        return app, {"grace": "3600"}, {}
    # rotation_grace_out_of_range: 30 minutes from now on the page, 31 days through the API.
    soon = (timezone.localtime() + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    return app, {"grace": "custom", "until": soon}, {"grace_seconds": 31 * 86400}


def test_the_rotation_table_lists_the_codes_tested_here():
    assert sorted(documented_rotation_codes()) == sorted(
        ["rotation_grace_out_of_range", "rotation_in_progress", "public_client"]
    )


@pytest.mark.parametrize("code", documented_rotation_codes())
def test_rotating_reports_the_same_code_on_the_page_and_in_the_api(api, user_client, make_app, user, code):
    app, page_data, api_body = rotation_setup(code, make_app, user)
    version = OAuthApplication.objects.get(pk=app.pk).version

    page = user_client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), page_data)
    response = api("rotateClientSecret", id=app.pk, json=api_body or None, check_request=False)
    if code == "rotation_grace_out_of_range":
        assert page.status_code == 400
        assert page.context["form"].has_error("until", code)
        assert response.status_code == 400
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("grace_seconds", code)]
    else:
        assert page.status_code == 409
        assert f'data-code="{code}"' in page.content.decode()
        assert (response.status_code, response.json()["code"]) == (409, code)
    assert OAuthApplication.objects.get(pk=app.pk).version == version
