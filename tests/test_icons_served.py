"""Icons are served only with headers that stop an SVG from ever running."""

from django.urls import reverse

from oauth_apps.icons import clean_icon
from oauth_apps.services import store_icon

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    b'<rect width="32" height="32" fill="#36c"/></svg>'
)


def test_svg_icon_is_served_sandboxed(client, db):
    icon = store_icon(clean_icon(SVG))
    response = client.get(reverse("oauth_apps:icon", args=[icon.sha256]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_icon_is_cached_for_ever_and_revalidates_by_hash(client, db):
    icon = store_icon(clean_icon(SVG))
    url = reverse("oauth_apps:icon", args=[icon.sha256])
    response = client.get(url)
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_identical_icons_are_stored_once(db, png_icon):
    first = store_icon(clean_icon(png_icon))
    second = store_icon(clean_icon(png_icon))
    assert first.pk == second.pk


def test_unknown_icon_is_not_found(client, db):
    assert client.get(reverse("oauth_apps:icon", args=["0" * 64])).status_code == 404
