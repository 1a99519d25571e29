from django.contrib.auth import get_user_model
from django.core.management import call_command


def test_generates_and_prints_a_password_once(db, capsys, monkeypatch):
    for name in ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_PASSWORD", "DJANGO_SUPERUSER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    call_command("ensure_admin")
    printed = capsys.readouterr().out
    password = printed.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)

    call_command("ensure_admin")
    assert password not in capsys.readouterr().out
    assert get_user_model().objects.count() == 1


def test_uses_the_environment_when_given(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "from-the-env-123")
    call_command("ensure_admin")
    assert get_user_model().objects.get(username="root-admin").check_password("from-the-env-123")
