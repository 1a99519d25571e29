"""Rotate the ID-token signing key, list the keys, or delete the expired ones (docs/managing-apps.md)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from authserver import signing_keys
from authserver.models import SigningKey


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"


class Command(BaseCommand):
    help = (
        "Add a new ID-token signing key, published in the JWKS at once and signing after "
        f"--activate-in seconds (default {signing_keys.ACTIVATION_DELAY_SECONDS}); the active key "
        "retires then and stays published until its last ID token has expired. Running it again "
        "while a new key waits changes nothing. Run on any one host: the keys are in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="Show the keys and their states; change nothing."
        )
        parser.add_argument(
            "--prune", action="store_true", help="Delete the keys no longer published; add no key."
        )
        parser.add_argument(
            "--activate-in",
            type=int,
            default=signing_keys.ACTIVATION_DELAY_SECONDS,
            metavar="SECONDS",
            help=(
                "Seconds between publishing the new key and signing with it. Shorter than the "
                f"default ({signing_keys.ACTIVATION_DELAY_SECONDS}) only when the active key must "
                "stop signing sooner: clients holding an older JWKS must then fetch it again."
            ),
        )

    def handle(self, *args, **options):
        if options["list"] and options["prune"]:
            raise CommandError("Use --list or --prune, not both.")
        if options["activate_in"] < 0:
            raise CommandError("--activate-in must be 0 or more seconds.")
        if options["list"]:
            self.list_keys()
        elif options["prune"]:
            kids = signing_keys.prune()
            self.stdout.write(f"Deleted {len(kids)} expired key(s){': ' + ', '.join(kids) if kids else '.'}")
        else:
            self.rotate(timedelta(seconds=options["activate_in"]))

    def rotate(self, activate_in: timedelta):
        rotation = signing_keys.rotate(activate_in)
        key = rotation.key
        if not rotation.created:
            self.stdout.write(
                f"Key {key.kid} is already waiting to sign from {_when(key.activates_at)}; nothing changed."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"New key {key.kid} is published and signs from {_when(key.activates_at)}.")
        )
        previous = rotation.previous
        if previous is not None:
            self.stdout.write(
                f"Key {previous.kid} signs until then and stays published until "
                f"{_when(previous.published_until)}."
            )

    def list_keys(self):
        now = timezone.now()
        rows = list(SigningKey.objects.order_by("activates_at"))
        if not rows:
            configured = signing_keys.current().keys
            if configured:
                self.stdout.write(
                    f"{configured[0].kid}  active  (OIDC_RSA_PRIVATE_KEY; stored by the first rotation)"
                )
            else:
                self.stdout.write(
                    "No signing key: set OIDC_RSA_PRIVATE_KEY or run this command without --list."
                )
            return
        self.stdout.write("kid  state  origin  created  signs from  signs until  published until")
        for row in rows:
            state = signing_keys.state_of(row.activates_at, row.retired_at, row.published_until, now)
            self.stdout.write(
                "  ".join(
                    (
                        row.kid,
                        state,
                        row.origin,
                        _when(row.created),
                        _when(row.activates_at),
                        _when(row.retired_at),
                        _when(row.published_until),
                    )
                )
            )
