"""Make sure a first admin account exists (run by `make run`)."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first admin account if there is none: from DJANGO_SUPERUSER_USERNAME, "
        "DJANGO_SUPERUSER_PASSWORD and DJANGO_SUPERUSER_EMAIL when set, otherwise 'admin' with a "
        "generated password that is printed once."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip() or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip()

        if users.objects.filter(**{users.USERNAME_FIELD: username}).exists():
            self.stdout.write(f"Admin account '{username}' already exists.")
            return
        if not password and users.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists.")
            return

        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            banner = "=" * 64
            self.stdout.write(
                self.style.SUCCESS(
                    f"\n{banner}\n  First admin account created — this password is shown only once:\n"
                    f"    username: {username}\n    password: {password}\n{banner}\n"
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Admin account '{username}' created from DJANGO_SUPERUSER_*.")
            )
