"""Make the data directory and the development keys (`make run` calls this before migrating)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from common.datadir import init_data_dir


class Command(BaseCommand):
    help = (
        "Create PORTAL_DATA_DIR and, outside production, the development secret key and "
        "ID-token signing key in it. Existing files are kept."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        # STATIC_ROOT too, so WhiteNoise finds its directory before the first collectstatic.
        made = init_data_dir(
            settings.DATA_DIR, keys=not settings.PRODUCTION, also=(Path(settings.STATIC_ROOT),)
        )
        if options["verbosity"] < 1:
            return
        for path in made:
            self.stdout.write(f"Created {path}")
        if not made:
            self.stdout.write(f"{settings.DATA_DIR} is ready.")
