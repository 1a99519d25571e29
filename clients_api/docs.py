"""The OpenAPI document (openapi.yaml, completed from the portal's own lists) and the reference page."""

import functools
from pathlib import Path

import yaml
from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from oauth_apps import scopes as scope_catalog
from oauth_apps.forms import HTML_NAMES, ApplicationForm, URLListField, WebURLField
from oauth_apps.listing import DEFAULT_PAGE_SIZE, DEFAULT_SORT, PAGE_SIZES, ListQueryForm
from oauth_apps.models import MAX_ALLOWED_ORIGINS, MAX_REDIRECT_URIS

from .resources import json_type

SOURCE = Path(__file__).with_name("openapi.yaml")
METHODS = ("get", "put", "patch", "post", "delete")


@functools.cache
def document() -> dict:
    """The served document: openapi.yaml plus the lists kept in the portal's code."""
    spec = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["ScopeName"]["enum"] = [scope.name for scope in scope_catalog.SCOPES]
    schemas["Sort"]["enum"] = [value for value, _label in ListQueryForm.base_fields["sort"].choices]
    schemas["Sort"]["default"] = DEFAULT_SORT
    schemas["PageSize"]["enum"] = list(PAGE_SIZES)
    schemas["PageSize"]["default"] = DEFAULT_PAGE_SIZE
    fields = schemas["ClientFields"]["properties"]
    fields["redirect_uris"] = {"$ref": "#/components/schemas/UrlList", "maxItems": MAX_REDIRECT_URIS}
    fields["allowed_origins"] = {"$ref": "#/components/schemas/UrlList", "maxItems": MAX_ALLOWED_ORIGINS}
    add_form_fields(schemas)
    schemas["BulkRequest"]["properties"]["ids"]["maxItems"] = max(PAGE_SIZES)
    return spec


def form_field_schema(field: forms.Field) -> dict:
    """A form field as a JSON Schema property.

    Its type is the one the API checks it for (`json_type`), with its limits and help text (English).
    """
    sent_as = json_type(field)
    if isinstance(field, URLListField):
        schema = {"$ref": "#/components/schemas/UrlList", "maxItems": field.max_entries}
    elif sent_as is list:
        schema = {"type": "array", "items": {"type": "string", "enum": [value for value, _ in field.choices]}}
    elif sent_as is bool:
        schema = {"type": "boolean"}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [value for value, _ in field.choices]}
    else:
        schema = {"type": "string"}
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
        kind = "email" if isinstance(field, forms.EmailField) else None
        if isinstance(field, forms.URLField | WebURLField):
            kind = "uri"
        if kind and field.required:
            schema["format"] = kind
        elif kind:
            # An optional field is answered as "" when empty.
            schema["anyOf"] = [{"const": ""}, {"format": kind}]
    if field.help_text:
        with translation.override("en"):
            schema["description"] = str(field.help_text)
    return schema


def add_form_fields(schemas: dict) -> None:
    """Describe every field of the registration form that openapi.yaml does not.

    The written entries stay as they are; a field the form gained since is described
    from the form field, in ClientFields and as always present in Client.
    """
    described = schemas["ClientFields"]["properties"]
    answered = next(part for part in schemas["Client"]["allOf"] if "required" in part)["required"]
    created = next(part for part in schemas["ClientCreate"]["allOf"] if "required" in part)["required"]
    for name in ApplicationForm._meta.fields:
        key = HTML_NAMES.get(name, name)
        if key in described:
            continue
        field = ApplicationForm.base_fields[name]
        described[key] = form_field_schema(field)
        if key not in answered:
            answered.append(key)
        if field.required and key not in created:
            created.append(key)


@require_GET
def openapi_json(request):
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_GET
def openapi_yaml(request):
    text = yaml.safe_dump(document(), sort_keys=False, allow_unicode=True)
    return HttpResponse(text, content_type="application/yaml; charset=utf-8")


def _resolve(spec: dict, node):
    """Follow a local $ref (one level is all the reference page needs at a time)."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_name(node) -> str:
    if isinstance(node, dict) and "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if isinstance(node, dict):
        kind = node.get("type", "object")
        if kind == "array":
            return f"array of {_schema_name(node.get('items', {}))}"
        if "enum" in node:
            return " | ".join(str(value) for value in node["enum"])
        return " or ".join(kind) if isinstance(kind, list) else kind
    return ""


def _properties(spec, schema) -> list[dict]:
    schema = _resolve(spec, schema)
    rows, required = [], set(schema.get("required", []))
    for part in schema.get("allOf", []):
        part_rows = _properties(spec, part)
        required |= set(_resolve(spec, part).get("required", []))
        rows.extend(part_rows)
    for name, prop in schema.get("properties", {}).items():
        resolved = _resolve(spec, prop)
        rows.append(
            {
                "name": name,
                "type": _schema_name(prop),
                "description": resolved.get("description", "") if isinstance(resolved, dict) else "",
            }
        )
    merged = {}
    for row in rows:
        merged[row["name"]] = {**merged.get(row["name"], {}), **{k: v for k, v in row.items() if v}}
    for name, row in merged.items():
        row["required"] = name in required
    return list(merged.values())


def operations(spec: dict) -> list[dict]:
    """Every operation, in document order, as the reference page lists it."""
    result = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [_resolve(spec, p) for p in shared + operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            security = operation.get("security", spec.get("security", []))
            result.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": spec["servers"][0]["url"] + path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(_resolve(spec, p.get("schema", {}))),
                            "description": p.get("description", ""),
                        }
                        for p in parameters
                    ],
                    "body": [
                        {"media_type": media, "schema": _schema_name(content.get("schema"))}
                        for media, content in body.items()
                    ],
                    "scopes": sorted({scope for entry in security for scope in entry.get("oauth2", [])}),
                    "responses": [
                        {
                            "status": status,
                            "description": _resolve(spec, response).get("description", ""),
                        }
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    return result


def schemas(spec: dict) -> list[dict]:
    return [
        {"name": name, "description": schema.get("description", ""), "properties": _properties(spec, schema)}
        for name, schema in spec["components"]["schemas"].items()
    ]


@require_GET
def reference(request):
    spec = document()
    context = {
        "info": spec["info"],
        "operations": operations(spec),
        "schemas": schemas(spec),
        "problem_kinds": PROBLEM_KINDS,
    }
    return render(request, "clients_api/reference.html", context)


# Every `type` a problem can have, for the anchors the problems link to.
PROBLEM_KINDS = (
    "validation-error",
    "unauthorized",
    "insufficient-scope",
    "bad-request",
    "not-found",
    "method-not-allowed",
    "edit-conflict",
    "precondition-required",
    "public-client",
    "rate-limited",
)
