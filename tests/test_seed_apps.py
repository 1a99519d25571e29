"""manage.py seed_apps: realistic demo apps, few icons, one CREATE record each."""

import io

from django.core.management import call_command

from oauth_apps.models import AuditAction, AuditEvent, Icon, OAuthApplication


def test_seed_apps_creates_varied_apps_sharing_a_few_icons(db):
    call_command("seed_apps", count=300, seed=7, batch_size=120, stdout=io.StringIO())
    apps = OAuthApplication.objects.all()
    assert apps.count() == 300
    assert Icon.objects.count() <= 8
    assert len({name.lower() for name in apps.values_list("name", flat=True)}) == 300
    assert apps.values("scope_bits").distinct().count() > 10
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 300


def test_seeded_apps_list_and_open(client, db, django_user_model):
    call_command("seed_apps", count=25, seed=1, stdout=io.StringIO())
    staff = django_user_model.objects.create_superuser("staffer", "staffer@example.com", "x")
    client.force_login(staff)
    listing = client.get("/settings/developer-tools/oauth/", {"sort": "name"})
    app = listing.context["applications"][0]
    assert listing.context["paginator"].count == 25
    assert client.get(app.get_absolute_url()).status_code == 200
