"""Forget authorization-code records older than the reuse-detection window."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from authserver.models import AuthorizationCodeRecord

DEFAULT_HOURS = 24


class Command(BaseCommand):
    help = (
        "Delete the records that detect a reused authorization code once they are older than "
        f"--older-than-hours (default {DEFAULT_HOURS}). A code expires within a minute; past this "
        "window a replayed code is still refused, it just no longer revokes what its first "
        "exchange issued. Safe to run as often as you like, e.g. daily beside cleartokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=int, default=DEFAULT_HOURS)

    def handle(self, *args, older_than_hours, **options):
        if older_than_hours < 1:
            raise CommandError("--older-than-hours must be at least 1.")
        cutoff = timezone.now() - timedelta(hours=older_than_hours)
        removed, _ = AuthorizationCodeRecord.objects.filter(created__lt=cutoff).delete()
        self.stdout.write(f"Removed {removed} authorization code record(s) older than {older_than_hours} h.")
