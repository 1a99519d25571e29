#!/usr/bin/env python3
"""Apply the OAuth apps described in a folder of JSON files to a DocSpace Portal.

    DOCSPACE_TOKEN=dsp_… python3 apply_apps.py https://portal.example.com apps/

Each `*.json` file is one app, in the API's own field names; `icon_file` names
an icon beside it. An app is found by its name: missing ones are registered
(the client ID and secret are printed once), existing ones are patched with
If-Match, so a change someone made meanwhile stops the run instead of being
overwritten. Standard library only; exits 1 on the first refusal.
"""

import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class Refused(Exception):
    pass


def call(base, method, path, body=None, headers=None):
    # main() allows only http(s) URLs.
    request = urllib.request.Request(  # noqa: S310
        base.rstrip("/") + "/api/2.0" + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {os.environ['DOCSPACE_TOKEN']}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            data = response.read()
            return (json.loads(data) if data else None), response.headers
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read() or b"{}")
        lines = [f"{method} {path}: {error.code} {problem.get('title', '')} {problem.get('detail', '')}"]
        lines += [
            f"  {e['field'] or '(request)'}: {e['code']}: {e['detail']}" for e in problem.get("errors", [])
        ]
        raise Refused("\n".join(lines)) from None


def desired(path: Path) -> dict:
    spec = json.loads(path.read_text())
    icon_file = spec.pop("icon_file", None)
    if icon_file:
        spec["icon"] = base64.b64encode((path.parent / icon_file).read_bytes()).decode()
    return spec


def find(base, name):
    page, _ = call(base, "GET", "/oauth/clients?" + urllib.parse.urlencode({"q": name, "per_page": 100}))
    return next((app for app in page["items"] if app["name"].lower() == name.lower()), None)


def apply_one(base, spec) -> str:
    current = find(base, spec["name"])
    if current is None:
        app, _ = call(base, "POST", "/oauth/clients", spec)
        secret = app["client_secret"] or "(public client: no secret)"
        return f"created {app['name']}: client_id={app['client_id']} client_secret={secret}"
    _, headers = call(base, "GET", f"/oauth/clients/{current['id']}")
    app, _ = call(base, "PATCH", f"/oauth/clients/{current['id']}", spec, {"If-Match": headers["ETag"]})
    return f"updated {app['name']}: {', '.join(app['changed']) or 'nothing changed'}"


def main(base, folder) -> int:
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        print("The portal URL must start with https:// (or http:// on your own machine).", file=sys.stderr)
        return 2
    for path in sorted(Path(folder).glob("*.json")):
        try:
            print(apply_one(base, desired(path)))
        except Refused as refused:
            print(f"{path.name}: refused\n{refused}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
