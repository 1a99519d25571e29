"""`{% per_language %}` draws a stretch of a template once per language, and holds nothing per request."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

ENGINE = Engine(
    libraries={"per_language": "accounts.templatetags.per_language", "static": "django.templatetags.static"},
    builtins=["django.templatetags.i18n"],
)
STRETCH = (
    "<nav>{% translate 'Main' %} <a href=\"{% url 'oauth_apps:list' %}\">"
    '{% translate "Developer Tools" %}</a> <a href="{% url \'oauth_apps:detail\' 7 %}">'
    "{% blocktranslate trimmed %}\n  Sign out\n{% endblocktranslate %}</a>{# a comment #}</nav>"
)


def stretch(inside: str, libraries: str = "per_language"):
    return ENGINE.from_string(f"{{% load {libraries} %}}{{% per_language %}}{inside}{{% end_per_language %}}")


def test_it_draws_what_the_same_template_draws_without_it_in_every_language(settings):
    cached = ENGINE.from_string(
        "{% load per_language %}{% per_language %}" + STRETCH + "{% end_per_language %}"
    )
    plain = ENGINE.from_string(STRETCH)
    for _round in range(2):  # the second round comes from what the first one drew
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                assert cached.render(Context()) == plain.render(Context())
    with translation.override("de"):
        german = cached.render(Context())
    with translation.override("en"):
        assert cached.render(Context()) != german


def test_it_is_drawn_once_per_language():
    template = ENGINE.from_string(
        "{% load per_language %}{% per_language %}{% translate 'Main' %}{% end_per_language %}"
    )
    drawn = template.nodelist[1].drawn
    with translation.override("fr"):
        first = template.render(Context())
        assert template.render(Context()) == first
    assert list(drawn.values()) == [first]
    with translation.override("de"):
        template.render(Context())
    assert len(drawn) == 2


@override_settings(FORCE_SCRIPT_NAME="/portal/")
def test_a_script_prefix_is_a_stretch_of_its_own():
    from django.urls import set_script_prefix

    template = ENGINE.from_string(
        "{% load per_language %}{% per_language %}{% url 'home' %}{% end_per_language %}"
    )
    try:
        set_script_prefix("/portal/")
        assert template.render(Context()) == "/portal/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == reverse("home")


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user.username }}",
        "{% if user %}x{% endif %}",
        "{% csrf_token %}",
        "{% translate greeting %}",
        "{% translate 'Main' as label %}",
        "{% translate 'Main'|upper %}",
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{% blocktranslate with name=user.username %}Hello{% endblocktranslate %}",
        "{% blocktranslate count counter=n %}app{% plural %}apps{% endblocktranslate %}",
        "{% url 'oauth_apps:detail' app.pk %}",
        "{% url view_name %}",
        "{% url 'home' as home %}",
        "{% static path %}",
        "{% per_language %}x{% end_per_language %}",
    ],
)
def test_anything_that_could_depend_on_the_request_is_refused_when_the_template_loads(inside):
    with pytest.raises(TemplateSyntaxError, match="per_language"):
        ENGINE.from_string(
            "{% load per_language static %}{% per_language %}" + inside + "{% end_per_language %}"
        )


def test_the_list_page_draws_the_same_frame_for_two_users(client, user, other_user, make_app):
    """Per user: the name, the CSRF token, the page's address. Per language: everything in the stretches."""
    make_app(user)
    make_app(other_user)
    pages = []
    for person in (user, other_user):
        client.force_login(person)
        pages.append(client.get(reverse("oauth_apps:list"), {"q": "App"}).content.decode())
    assert f"Signed in as {user.username}" in pages[0]
    assert f"Signed in as {other_user.username}" in pages[1]
    assert user.username not in pages[1]
