"""Seed N realistic demo applications, for trying the list and benchmarking it."""

import io
import random
import secrets
import time
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings
from PIL import Image, ImageDraw

from oauth_apps import scopes as scope_catalog
from oauth_apps.icons import clean_icon
from oauth_apps.models import AuditAction, AuditEvent, ClientType, OAuthApplication
from oauth_apps.names import name_key
from oauth_apps.origins import sync_allowed_origins
from oauth_apps.services import store_icon

BRANDS = (
    "Acme",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue",
    "Bright",
    "Cedar",
    "Cinder",
    "Cobalt",
    "Comet",
    "Coral",
    "Crimson",
    "Delta",
    "Echo",
    "Ember",
    "Falcon",
    "Fern",
    "Flint",
    "Fox",
    "Galaxy",
    "Granite",
    "Harbor",
    "Hazel",
    "Indigo",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lagoon",
    "Lark",
    "Lumen",
    "Maple",
    "Meadow",
    "Mercury",
    "Nimbus",
    "North",
    "Nova",
    "Oak",
    "Onyx",
    "Orbit",
    "Otter",
    "Pebble",
    "Pine",
    "Pixel",
    "Polar",
    "Quartz",
    "Raven",
    "Ridge",
    "River",
    "Saffron",
    "Sage",
    "Slate",
    "Solstice",
    "Sparrow",
    "Spruce",
    "Summit",
    "Tidal",
    "Topaz",
    "Vector",
    "Willow",
    "Zephyr",
)
PRODUCTS = (
    "Calendar",
    "Mail",
    "Drive",
    "Docs",
    "Notes",
    "Tasks",
    "Chat",
    "Forms",
    "Sheets",
    "Slides",
    "Backup",
    "Sync",
    "Reports",
    "Invoices",
    "CRM",
    "Helpdesk",
    "Wiki",
    "Planner",
    "Timesheet",
    "Recruit",
    "Survey",
    "Signage",
    "Kiosk",
    "Scanner",
    "Archive",
    "Portal",
    "Dashboard",
    "Analytics",
    "Billing",
    "Contracts",
    "Expenses",
    "Inventory",
    "Payroll",
    "Roster",
    "Tickets",
    "Bookings",
    "Checklist",
    "Whiteboard",
    "Review",
    "Translate",
    "Publisher",
    "Gallery",
    "Player",
    "Viewer",
    "Editor",
    "Importer",
    "Exporter",
    "Connector",
    "Assistant",
    "Bot",
    "Monitor",
    "Audit",
    "Search",
)
EDITIONS = ("", " Pro", " Sync", " for Teams", " Mobile", " Connect", " Cloud", " Lite", " Desktop", " Go")
DESCRIPTIONS = (
    "Connects {product} to the portal so teams can work from one place.",
    "Lets people open and share files from {product} without leaving it.",
    "Reads room and file lists to build {product} views.",
    "Internal tool by the {brand} team.",
    "",
)
COLORS = ((45, 108, 223), (46, 125, 50), (198, 40, 40), (240, 180, 41), (94, 53, 177), (0, 137, 123))
SVG_ICONS = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<circle cx="16" cy="16" r="14" fill="#2d6cdf"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="4" width="24" height="24" '
    'rx="6" fill="#f0b429"/></svg>',
)
# Demo apps are the first thing many people see; spread their dates over a few years.
AGE = timedelta(days=3 * 365)


def demo_icons():
    """A handful of distinct icons through the real pipeline, so Icon rows stay few."""
    raw = []
    for index, color in enumerate(COLORS):
        image = Image.new("RGBA", (32, 32), (*color, 255))
        draw = ImageDraw.Draw(image)
        if index % 2:
            draw.ellipse((8, 8, 23, 23), fill=(255, 255, 255, 255))
        else:
            draw.rectangle((9, 9, 22, 22), fill=(255, 255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        raw.append(buffer.getvalue())
    raw.extend(svg.encode() for svg in SVG_ICONS)
    return [store_icon(clean_icon(data)) for data in raw]


class RowWriter:
    """Insert many rows of one model with executemany.

    bulk_create builds and compiles every row field by field, and SQLite lets it
    put only ~28 rows in one statement: for 100,000 apps that is most of a
    minute of CPU. Here the values that are the same on every row are prepared
    once by their fields, and only plain strings, numbers, booleans and dates
    vary, which go through the backend's own adapters.
    """

    def __init__(self, model, template, varying: tuple[str, ...]):
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.varying = varying
        self.constant = {
            field.attname: field.get_db_prep_save(field.pre_save(template, add=True), connection)
            for field in self.fields
            if field.attname not in varying
        }
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = connection.ops.quote_name(model._meta.db_table)
        # Names come from the model and are quoted; every value is a parameter.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608

    def write(self, rows: list[dict]) -> None:
        adapt_datetime = connection.ops.adapt_datetimefield_value
        params = []
        for row in rows:
            values = []
            for field in self.fields:
                if field.attname in row:
                    value = row[field.attname]
                    values.append(adapt_datetime(value) if isinstance(value, datetime) else value)
                else:
                    values.append(self.constant[field.attname])
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


class Names:
    """Unique (by names.name_key, as the form checks) and plausible: brand + product + edition + number."""

    def __init__(self, taken: set[str], rng: random.Random):
        self.taken = taken
        self.rng = rng

    def next(self) -> tuple[str, str, str]:
        for attempt in range(50):
            brand, product = self.rng.choice(BRANDS), self.rng.choice(PRODUCTS)
            name = f"{brand} {product}{self.rng.choice(EDITIONS)}"
            if attempt > 5:
                name = f"{name} {self.rng.randint(2, 9999)}"
            key = name_key(name)
            if key not in self.taken:
                self.taken.add(key)
                return name, brand, product
        raise CommandError("Could not find a free name; is the database already full of demo apps?")


class Command(BaseCommand):
    help = "Create N demo OAuth applications with icons, varied scopes and dates (for demos and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="how many applications to create")
        parser.add_argument("--owner", default="demo", help="username of their creator (made if missing)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")

    def handle(self, *args, count, owner, batch_size, seed, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
        users = get_user_model()
        user, made = users.objects.get_or_create(**{users.USERNAME_FIELD: owner})
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        icons = demo_icons()
        taken = set(OAuthApplication.objects.values_list("name_key", flat=True))
        names = Names(taken, rng)
        # Seeded confidential apps share the hash of a secret nobody ever sees:
        # to use one, reset its secret. Hashing once keeps seeding fast.
        unknown_secret = make_password(secrets.token_urlsafe(48), hasher=oauth2_settings.CLIENT_SECRET_HASHER)
        now = timezone.now()

        if connection.vendor == "sqlite":
            # Random client IDs and names land all over their unique indexes; with
            # SQLite's default 2 MB page cache most inserts would wait on the disk.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        template = self.build(Names(set(), rng), rng, user, icons, unknown_secret, now)
        apps = RowWriter(OAuthApplication, OAuthApplication(**template), varying=tuple(template))
        event = {
            "application_id": None,
            "application_pk": 0,
            "application_name": "",
            "client_id": "",
        }
        events = RowWriter(
            AuditEvent,
            AuditEvent(
                actor=user,
                actor_name=user.get_username(),
                action=AuditAction.CREATE,
                app_version=1,
                changes={"seeded": True},
            ),
            varying=tuple(event),
        )
        created = 0
        while created < count:
            size = min(batch_size, count - created)
            rows = [self.build(names, rng, user, icons, unknown_secret, now) for _ in range(size)]
            with transaction.atomic():
                apps.write(rows)
                new = OAuthApplication.objects.filter(client_id__in=[row["client_id"] for row in rows])
                sync_allowed_origins(new.only("pk", "allowed_origins"))
                events.write(
                    [
                        {
                            "application_id": pk,
                            "application_pk": pk,
                            "application_name": name,
                            "client_id": cid,
                        }
                        for pk, name, cid in new.values_list("pk", "name", "client_id")
                    ]
                )
            created += size
            self.stdout.write(f"  {created}/{count}", ending="\r")
            self.stdout.flush()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {created} applications in {elapsed:.1f} s."))

    @staticmethod
    def build(names, rng, user, icons, unknown_secret, now) -> dict:
        """One app's varying column values (the rest is the same on every row)."""
        name, brand, product = names.next()
        slug = f"{brand}-{product}".lower()
        site = f"https://{slug}.example.com"
        public = rng.random() < 0.3
        picked = rng.sample(scope_catalog.SCOPES, rng.randint(1, 4))
        created = now - AGE * rng.random() ** 2  # more recent apps than old ones
        return {
            "client_id": secrets.token_hex(20),
            "client_type": (ClientType.PUBLIC if public else ClientType.CONFIDENTIAL).value,
            "client_secret": "" if public else unknown_secret,
            "hash_client_secret": not public,
            "authorization_grant_type": OAuthApplication.GRANT_AUTHORIZATION_CODE,
            "algorithm": OAuthApplication.RS256_ALGORITHM,
            "name": name,
            "name_key": name_key(name),
            "user_id": user.pk,
            "modified_by_id": user.pk,
            "website_url": site,
            "description": rng.choice(DESCRIPTIONS).format(brand=brand, product=product),
            "privacy_policy_url": f"{site}/privacy",
            "terms_of_service_url": f"{site}/terms",
            "redirect_uris": f"{site}/oauth/callback",
            "allowed_origins": site,
            "icon_id": rng.choice(icons).pk,
            "scope_bits": scope_catalog.to_bits(scope_catalog.with_implied(scope.name for scope in picked)),
            "enabled": rng.random() < 0.9,
            "created": created,
            "updated": created + (now - created) * rng.random(),
        }
