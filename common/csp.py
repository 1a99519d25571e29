"""Content-Security-Policy: django-csp's middleware, plus one per-response addition.

A view that must let a form navigate somewhere else (the consent page, whose
Allow/Deny POST is followed by a redirect to the client) sets
`response.csp_form_action = [source, …]`; those sources are added to the
`form-action` directive of that response alone. This extends
`CSPMiddleware.get_policy_parts`, the hook django-csp documents for subclassing,
instead of writing the private attribute its decorators use.
"""

from csp.middleware import CSPMiddleware, PolicyParts

FORM_ACTION_ATTRIBUTE = "csp_form_action"


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        sources = getattr(response, FORM_ACTION_ATTRIBUTE, None)
        if sources and not report_only:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *sources]
            parts.update = update
        return parts
