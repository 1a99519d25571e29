"""Dates are shown in the viewer's zone, with the zone named; recent ones relative."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from oauth_apps.models import AuditEvent, OAuthApplication
from tests.helpers import give_tokens

from .test_list import LIST_QUERIES

LIST_URL = reverse("oauth_apps:list")
SETTINGS_URL = reverse("settings")
OLD = datetime(2025, 7, 1, 10, 30, tzinfo=UTC)


@pytest.fixture
def old_app(user, make_app):
    app, _ = make_app(user, name="Old App")
    OAuthApplication.objects.filter(pk=app.pk).update(created=OLD, updated=OLD)
    AuditEvent.objects.filter(application_pk=app.pk).update(created=OLD)
    return app


def times(response) -> list[tuple[str, str, str]]:
    """(datetime attribute, title, text) of every <time> on the page."""
    return re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', response.content.decode())


def test_without_a_choice_or_a_browser_zone_dates_are_utc(user_client, old_app):
    found = times(user_client.get(LIST_URL))
    assert (
        "2025-07-01T10:30:00+00:00",
        "July 1, 2025, 10:30 a.m. UTC (UTC)",
        "July 1, 2025, 10:30 a.m. UTC",
    ) in found


def test_the_browser_zone_from_the_cookie_is_used(user_client, old_app):
    user_client.cookies["tz"] = "Asia/Tokyo"
    found = times(user_client.get(LIST_URL))
    assert (
        "2025-07-01T19:30:00+09:00",
        "July 1, 2025, 7:30 p.m. JST (Asia/Tokyo)",
        "July 1, 2025, 7:30 p.m. JST",
    ) in found


@pytest.mark.parametrize("cookie", ["Not/AZone", "../../etc/passwd", "Europe/Berlin" + "x" * 80, ""])
def test_an_unknown_browser_zone_falls_back_to_utc(user_client, old_app, cookie):
    user_client.cookies["tz"] = cookie
    response = user_client.get(LIST_URL)
    assert response.status_code == 200
    assert all(stamp.endswith("+00:00") for stamp, _title, _text in times(response))


def test_the_persons_choice_beats_the_browser(user_client, user, old_app):
    Profile.objects.create(user=user, time_zone="America/New_York")
    user_client.cookies["tz"] = "Asia/Tokyo"
    found = times(user_client.get(old_app.get_absolute_url()))
    assert found[0][0] == "2025-07-01T06:30:00-04:00"
    assert found[0][2] == "July 1, 2025, 6:30 a.m. EDT"


def test_recent_times_are_relative_with_the_exact_time_in_the_title(user_client, user, make_app):
    app, _ = make_app(user)
    OAuthApplication.objects.filter(pk=app.pk).update(updated=timezone.now() - timedelta(minutes=5))
    user_client.cookies["tz"] = "Europe/Berlin"
    stamp, title, text = times(user_client.get(LIST_URL))[0]
    assert text == "5\xa0minutes ago"
    assert title.endswith("(Europe/Berlin)")
    assert stamp.endswith(("+01:00", "+02:00"))


def test_created_column_shows_the_date_only_for_older_apps(user_client, old_app):
    texts = [text for _stamp, _title, text in times(user_client.get(LIST_URL))]
    assert "July 1, 2025" in texts


@pytest.mark.parametrize(
    "page",
    ["detail", "authorized_apps", "developer_tools"],
)
def test_every_page_with_dates_uses_the_viewers_zone(user_client, user, old_app, page):
    user_client.cookies["tz"] = "Asia/Kolkata"
    if page == "detail":
        response = user_client.get(old_app.get_absolute_url())
    elif page == "authorized_apps":
        give_tokens(old_app, user)
        response = user_client.get(reverse("authserver:authorized_apps"))
    else:
        response = user_client.post(
            reverse("authserver:developer_tools", args=[old_app.pk]), {"generate": "1"}
        )
    found = times(response)
    assert found
    assert all("(Asia/Kolkata)" in title for _stamp, title, _text in found)
    assert all(stamp.endswith("+05:30") for stamp, _title, _text in found)


def test_history_dates_use_the_viewers_zone(user_client, old_app):
    user_client.cookies["tz"] = "Asia/Tokyo"
    page = user_client.get(old_app.get_absolute_url()).content.decode()
    history = page.split('data-testid="history"')[1]
    assert '<time datetime="2025-07-01T19:30:00+09:00"' in history


# --- the settings page ---------------------------------------------------------------


def test_the_header_links_to_the_settings_page(user_client):
    assert f'href="{SETTINGS_URL}"' in user_client.get(LIST_URL).content.decode()


def test_settings_page_needs_sign_in(client):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_settings_page_names_the_zone_in_use_and_the_browsers(user_client):
    user_client.cookies["tz"] = "Europe/Paris"
    page = user_client.get(SETTINGS_URL).content.decode()
    assert "Dates and times are shown in <strong>Europe/Paris</strong>" in page
    assert "Follow my browser (now Europe/Paris)" in page
    assert '<option value="Asia/Tokyo">Tokyo</option>' in page


def test_choosing_a_zone_saves_it_and_uses_it(user_client, user, old_app):
    response = user_client.post(SETTINGS_URL, {"time_zone": "Australia/Sydney"}, follow=True)
    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    assert "Dates are now shown in Australia/Sydney" in response.content.decode()
    assert Profile.objects.get(user=user).time_zone == "Australia/Sydney"
    assert times(user_client.get(LIST_URL))[0][0] == "2025-07-01T20:30:00+10:00"


def test_following_the_browser_again_clears_the_choice(user_client, user):
    Profile.objects.create(user=user, time_zone="Asia/Tokyo")
    user_client.post(SETTINGS_URL, {"time_zone": ""})
    assert Profile.objects.get(user=user).time_zone == ""


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "x" * 200, "../etc"])
def test_an_unknown_zone_is_refused_next_to_the_field(user_client, user, value):
    response = user_client.post(SETTINGS_URL, {"time_zone": value})
    assert response.status_code == 400
    assert response.context["form"].has_error("time_zone", code="invalid_choice")
    assert not Profile.objects.filter(user=user).exists()


def test_the_profile_is_read_with_the_user(user_client, user, make_app, django_assert_num_queries):
    Profile.objects.create(user=user, time_zone="Asia/Tokyo")
    make_app(user)
    # Session, user with profile, then the list's own queries: as without a profile.
    with django_assert_num_queries(LIST_QUERIES):
        user_client.get(LIST_URL)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_compiled_formats_write_what_django_writes_in_every_language(language):
    """`Dates` writes numbers itself and takes words from the catalog once per process (accounts/templatetags/
    portal_time.py `compiled`): the same text as Django's for every format character and every format the
    language has, also for dates sharing a month, a day, an hour."""
    from django.utils import translation
    from django.utils.dateformat import DateFormat, re_formatchars
    from django.utils.formats import date_format, get_format
    from django.utils.html import escape

    from accounts.templatetags.portal_time import Dates, compiled_html

    moments = [
        datetime(2026, 1, 5, 0, 7, 9, tzinfo=UTC),
        datetime(2026, 1, 6, 0, 8, 9, tzinfo=UTC),
        datetime(2026, 7, 31, 12, 0, 0, tzinfo=UTC),
        datetime(2027, 7, 31, 12, 0, 1, tzinfo=UTC),
        datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 12, 2, 11, 59, 0, tzinfo=UTC),
        datetime(2005, 2, 28, 17, 30, 5, tzinfo=UTC),
    ]
    every_character = "".join(sorted(set(re_formatchars.pattern) - set(r"(?<!\\)([])")))
    # One character at a time, then all of them in one pattern, with escaped text between.
    patterns = [*every_character, r" \a\t ".join(every_character)]
    for zone in ("Asia/Kolkata", "Europe/Berlin"):  # Berlin: two abbreviations (CET, CEST) in one page
        with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
            dates = Dates()
            for moment in moments:
                local = timezone.localtime(moment)
                for name in ("DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT"):
                    assert dates.format(local, get_format(name)) == date_format(local, name)
                for pattern in [*patterns, "<j> & \"{N}\" 'Y' {{0}}"]:
                    assert dates.format(local, pattern) == DateFormat(local).format(pattern), pattern
                    # For HTML: each piece escaped (once per process for words), the text between too.
                    template, pieces = compiled_html(pattern, language)
                    written = template.format(*[piece(local) for piece in pieces])
                    assert written == escape(DateFormat(local).format(pattern)), pattern
                assert dates.zone_abbreviation(local) == DateFormat(local).format("T")


def test_words_are_written_in_the_language_the_page_started_in():
    """The catalog's words are remembered per language: a page started in German writes German months,
    even when the words are first looked up after the active language changed."""
    from django.utils import translation
    from django.utils.formats import date_format

    from accounts.templatetags.portal_time import Dates

    moment = datetime(2031, 3, 3, 15, 17, tzinfo=UTC)  # a month and minute no other test asks for first
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        with translation.override("de"):
            dates = Dates()
            german = date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        with translation.override("fr"):
            assert german in dates.when(moment)
            assert "März" in german


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_a_page_of_dates_stays_exact_across_midnight_and_clock_changes(language, zone):
    """`Dates.when` writes a date's numbers itself and its words and zone from texts remembered per language;
    around midnight, noon and the spring and autumn clock changes (where Django leaves the zone's abbreviation
    out of an hour that happens twice) each still reads as Django formats it, in either order on a page."""
    from django.utils import translation
    from django.utils.dateformat import DateFormat
    from django.utils.formats import date_format
    from django.utils.html import escape

    from accounts.templatetags.portal_time import Dates

    moments = []
    for utc in (
        datetime(2026, 3, 8, 6, 0, tzinfo=UTC),  # New York springs forward at 07:00 UTC
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),  # Berlin springs forward at 01:00 UTC
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),  # Berlin falls back at 01:00 UTC
        datetime(2026, 11, 1, 5, 0, tzinfo=UTC),  # New York falls back at 06:00 UTC
    ):
        moments += [utc + timedelta(minutes=minutes) for minutes in range(0, 181, 15)]
    new_year = datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)
    moments += [new_year + timedelta(seconds=seconds) for seconds in range(0, 7201, 1800)]
    # Every hour of a day, on the hour (midnight, noon) and not, once before noon and once after.
    june = datetime(2026, 6, 1, tzinfo=UTC)
    moments += [june + timedelta(minutes=minutes) for minutes in range(0, 2 * 1440, 30)]
    # Seconds apart in one minute, and across a minute's end (Dates remembers texts by minute and by day).
    moments += [june + timedelta(hours=13, seconds=seconds) for seconds in (0, 1, 59, 60, 61, 119, 120)]
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for order in (moments, moments[::-1]):
            dates = Dates()
            for moment in order:
                local = timezone.localtime(moment)
                exact = escape(f"{date_format(local, 'DATETIME_FORMAT')} {DateFormat(local).format('T')}")
                assert f'title="{exact} ({zone})">{exact}</time>' in dates.when(moment)
                day = escape(date_format(local, "DATE_FORMAT"))
                assert f'datetime="{local.isoformat(timespec="seconds")}"' in dates.when(moment, "date")
                assert f'title="{exact} ({zone})">{day}</time>' in dates.when(moment, "date")


def test_texts_are_remembered_by_what_decides_them():
    """A format's text is remembered by the day, or by the minute and the offset; one with seconds, never."""
    from accounts.templatetags.portal_time import _stamp_key

    stamp = "2026-10-25T02:30:15+02:00"
    assert _stamp_key("j. F Y")(stamp) == "2026-10-25"
    assert _stamp_key("N j, Y, P")(stamp) == "2026-10-25T02:30+02:00"
    # Berlin's repeated hour: the same minute at the other offset is another text (no abbreviation).
    assert _stamp_key("N j, Y, P")("2026-10-25T02:30:15+01:00") != _stamp_key("N j, Y, P")(stamp)
    for pattern in ("Y-m-d H:i:s", "c", "r", "U", "H:i:s.u"):
        assert _stamp_key(pattern) is None


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_relative_texts_are_djangos_in_every_language(language):
    """`Dates.relative` words each number of seconds, minutes or hours once per process and language: what
    naturaltime says for the same distance, in the past and in the future."""
    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.utils import translation
    from django.utils.html import escape

    from accounts.templatetags.portal_time import Dates

    with translation.override(language):
        for _round in range(2):  # the second from what the first remembered
            dates = Dates()
            for seconds in (0, 1, 2, 59, 60, 61, 119, 120, 3599, 3600, 3601, 7199, 7200, 86399):
                past = dates.now - timedelta(seconds=seconds, milliseconds=300)
                future = dates.now + timedelta(seconds=seconds, milliseconds=700)
                assert dates.relative(past) == escape(naturaltime(past)), seconds
                assert dates.relative(future) == escape(naturaltime(future)), seconds
