"""docs/examples/apply_apps.py against a real server: apps kept in a folder, applied by a short script."""

import json
import shutil
from pathlib import Path

import pytest

from oauth_apps.models import AuditEvent, OAuthApplication

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.fixture
def script(monkeypatch, user, api_token):
    import importlib.util

    monkeypatch.setenv("DOCSPACE_TOKEN", api_token(user))
    spec = importlib.util.spec_from_file_location("apply_apps", EXAMPLES / "apply_apps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_script_creates_then_updates_then_stops_on_a_refusal(live_server, script, tmp_path, capsys):
    folder = tmp_path / "apps"
    shutil.copytree(EXAMPLES / "apps", folder)

    assert script.main(live_server.url, folder) == 0
    app = OAuthApplication.objects.get(name="Team Calendar")
    assert "client_secret=" in capsys.readouterr().out

    spec = json.loads((folder / "team-calendar.json").read_text())
    (folder / "team-calendar.json").write_text(json.dumps({**spec, "description": "Now with rooms."}))
    assert script.main(live_server.url, folder) == 0
    assert "updated Team Calendar: description" in capsys.readouterr().out
    assert OAuthApplication.objects.get(pk=app.pk).description == "Now with rooms."
    assert AuditEvent.objects.filter(application_pk=app.pk).count() == 2

    (folder / "team-calendar.json").write_text(
        json.dumps({**spec, "redirect_uris": ["http://example.com/cb"]})
    )
    assert script.main(live_server.url, folder) == 1
    assert "redirect_uris: insecure_scheme" in capsys.readouterr().err
