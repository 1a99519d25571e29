"""Errors as RFC 9457 problem details (`application/problem+json`).

Each problem has a `type` that names its kind (a link into the API reference),
a translated `title` and `detail`, the HTTP `status`, and — for a refused body —
`errors`: one entry per message with the field, a JSON pointer to it, the
stable `code` the pages use, and the message.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"


def problem(request, status: int, kind: str, title: str, detail: str = "", *, headers=None, **extensions):
    body = {
        "type": request.build_absolute_uri(reverse("clients_api:reference")) + f"#problem-{kind}",
        "title": str(title),
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    body.update(extensions)
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_error(field: str, code: str, message: str) -> dict:
    return {"field": field, "pointer": f"#/{field}" if field else "#", "code": code, "detail": str(message)}


def form_errors(form) -> list[dict]:
    """Every error of a bound form, named as the request names the field (the form's html name)."""
    entries = []
    for name, errors in form.errors.as_data().items():
        field = form[name].html_name if name in form.fields else ""
        for error in errors:
            for message in error:
                entries.append(field_error(field, error.code or "invalid", message))
    return entries


def invalid(request, errors: list[dict], detail: str = "", status: int = 400):
    return problem(
        request,
        status,
        "validation-error",
        _("The request has invalid fields."),
        detail or _("Correct the fields listed in errors and send the request again."),
        errors=errors,
    )


def not_found(request):
    return problem(
        request,
        404,
        "not-found",
        _("Not found."),
        _("There is no application with this id that you may see."),
    )


def malformed(request, detail: str, code: str):
    return invalid(request, [field_error("", code, detail)], detail=detail)
