"""Remove dynamically registered clients that obtained no token within DYNAMIC_REGISTRATION_UNUSED_HOURS."""

from django.core.management.base import BaseCommand

from dynamic_registration import services


class Command(BaseCommand):
    help = (
        "Delete clients that registered themselves (RFC 7591) and obtained no token within "
        "DYNAMIC_REGISTRATION_UNUSED_HOURS; each deletion is audited. Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        removed = services.prune_unused()
        self.stdout.write(f"Removed {removed} unused self-registered client(s).")
