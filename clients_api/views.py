"""The management API: /api/2.0/oauth/clients.

Views only wire things together, as the pages do: the caller comes from auth.py,
what they may see from oauth_apps.access, rules from the registration form,
writes from oauth_apps.services (inside audit.acting_through, so every record
names the token), the list from oauth_apps.listing.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import HttpResponse, JsonResponse, QueryDict
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from oauth_apps import audit, services
from oauth_apps.access import Action, applications_for, may_see_secret
from oauth_apps.forms import ApplicationEditForm, ApplicationForm, grace_out_of_range_error
from oauth_apps.listing import PAGE_SIZES, CappedPaginator, ListQuery, ListQueryForm
from oauth_apps.models import AuditEvent, Maintainer

from . import problems
from .auth import READ, WRITE, authenticate, limit
from .resources import (
    BadBody,
    current_values,
    etag,
    form_input,
    read_body,
    represent,
    represent_event,
    type_error,
)

AUDIT_PAGE_SIZE = 50
# Each bulk action and the power it needs over each app (as on the list page).
BULK_ACTIONS = {"enable": Action.CHANGE, "disable": Action.CHANGE, "delete": Action.DELETE}
# Each app's co-maintainers, read in one query for a whole page (represent() lists them).
MAINTAINERS = Prefetch("maintainers", queryset=Maintainer.objects.select_related("user"))
# As on the pages: a bulk action acts on what one page of the list can show.
MAX_BULK = max(PAGE_SIZES)


def _json(data, status=200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ApiView(View):
    """Authenticates every call by bearer token; GET needs clients:read (or write), the rest clients:write."""

    def dispatch(self, request, *args, **kwargs):
        handler = getattr(self, request.method.lower(), None)
        if request.method.lower() not in self.http_method_names or handler is None:
            return self.not_allowed(request)
        needed = (READ, WRITE) if request.method in ("GET", "HEAD") else (WRITE,)
        caller = authenticate(request, needed)
        if isinstance(caller, HttpResponse):
            return caller
        self.caller = caller
        # The pages' helpers (rate-limit keys, the services' actor) read request.user.
        request.user = caller.user
        with audit.acting_through(caller.via):
            return handler(request, *args, **kwargs)

    def not_allowed(self, request):
        allowed = [m.upper() for m in self.http_method_names if hasattr(self, m) and m != "options"]
        return problems.problem(
            request,
            405,
            "method-not-allowed",
            _("Method not allowed."),
            _("This resource answers %(methods)s.") % {"methods": ", ".join(allowed)},
            headers={"Allow": ", ".join(allowed)},
        )

    def visible(self, action: Action):
        """The apps the caller may do `action` to: the pages' rule (oauth_apps/access.py)."""
        return applications_for(self.caller.user, action)

    def get_app(self, pk, action: Action = Action.VIEW):
        return self.visible(action).select_related("user").prefetch_related(MAINTAINERS).filter(pk=pk).first()

    def app_at_version(self, request, pk, action: Action, *, if_match_required: bool):
        """(app, version) for a write: the app `pk` the caller may do `action` to, and the version its
        If-Match names; or the problem to answer (404 not visible, 428 If-Match missing, 412 stale)."""
        app = self.get_app(pk, action)
        if app is None:
            return problems.not_found(request)
        version = _if_match(request, app, required=if_match_required)
        if isinstance(version, HttpResponse):
            return version
        return app, version

    def secret_for_caller(self, app, secret):
        """Only the owner or a co-maintainer sees a secret they made (access.py); anyone else gets null."""
        return secret if may_see_secret(self.caller.user, app) else None


class WalkPage(Page):
    def has_next(self):
        if self.paginator.capped:  # past the count: there is more while pages come back full
            return len(self.object_list) == self.paginator.per_page
        return super().has_next()


class WalkPaginator(CappedPaginator):
    """The client list's pages: counted as the list page counts (at most `limit`), yet every page offered.

    `total` stops at the limit (with `total_is_capped`), so no request counts every
    app; a script still walks the whole list by following `next` past the counted
    pages, until a page comes back short.
    """

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        return self._get_page(
            queryset.filter(pk__in=queryset.values("pk")[bottom : bottom + self.per_page]), number, self
        )

    def _get_page(self, *args, **kwargs):
        return WalkPage(*args, **kwargs)


def _page_links(request, paginator, page) -> dict:
    def link(number):
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(request.path) + "?" + params.urlencode()

    links = {"self": link(page.number), "first": link(1), "last": link(paginator.num_pages)}
    if page.has_next():
        links["next"] = link(page.next_page_number())
    if page.has_previous():
        links["prev"] = link(page.previous_page_number())
    return links


def _link_header(links: dict) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self")


def _paginate(request, queryset, per_page, paginator_class=Paginator, **kwargs):
    """A page of `queryset`, or a problem for a page number that is not one."""
    paginator = paginator_class(queryset, per_page, **kwargs)
    try:
        return paginator, paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        return paginator, problems.invalid(
            request,
            [
                problems.field_error(
                    "page",
                    "invalid_page",
                    _("Ask for a page from 1 to %(pages)d.") % {"pages": paginator.num_pages},
                )
            ],
        )


def _page_response(request, paginator, page, items: list) -> HttpResponse:
    """One page of a list: the items, the totals and the links to the other pages (also as `Link`)."""
    links = _page_links(request, paginator, page)
    body = {
        "total": paginator.count,
        # The client list counts at most COUNT_LIMIT matches (WalkPaginator); the audit trail exactly.
        **({"total_is_capped": paginator.capped} if isinstance(paginator, CappedPaginator) else {}),
        "page": page.number,
        "pages": paginator.num_pages,
        "per_page": paginator.per_page,
        "items": items,
        "links": links,
    }
    return _json(body, Link=_link_header(links))


class ClientListView(ApiView):
    http_method_names = ["get", "post"]

    def get(self, request):
        form = ListQueryForm(request.GET)
        if not form.is_valid():
            return problems.invalid(request, problems.form_errors(form))
        query = ListQuery.from_params(request.GET)
        queryset = query.apply(self.visible(Action.LIST).select_related("user").prefetch_related(MAINTAINERS))
        paginator, page = _paginate(
            request,
            queryset,
            query.per_page,
            WalkPaginator,
            **query.paginator_kwargs(queryset.db),
        )
        if isinstance(page, HttpResponse):
            return page
        return _page_response(request, paginator, page, [represent(app, request) for app in page.object_list])

    def post(self, request):
        limited = limit(request, self.caller, "register")
        if limited is not None:
            return limited
        try:
            data, files = read_body(request, multipart=True)
            if not isinstance(data, QueryDict):
                data, files = form_input(data, ApplicationForm)
        except BadBody as bad:
            return problems.invalid(request, bad.errors)
        form = ApplicationForm(data, files)
        if not form.is_valid():
            return problems.invalid(request, problems.form_errors(form))
        try:
            app, secret = services.register_application(
                form.instance, user=self.caller.user, icon=form.cleaned_data["icon"]
            )
        except services.DuplicateName:
            form.add_error(
                "name",
                ValidationError(
                    _("An app with this name was registered a moment ago. Choose another name."),
                    code="name_taken",
                ),
            )
            return problems.invalid(request, problems.form_errors(form))
        body = represent(app, request)
        body["client_secret"] = secret or None
        return _json(body, status=201, Location=body["links"]["self"], ETag=etag(app))


def _if_match(request, app, *, required: bool):
    """The version If-Match names; a 412/428 problem when it does not fit `app`."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if not required:
            return app.version
        return problems.problem(
            request,
            428,
            "precondition-required",
            _("If-Match is required."),
            _("Send If-Match with the ETag (the version) you read, or * to overwrite whatever is there."),
            code="if_match_required",
        )
    if header == "*":
        return app.version
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if etag(app) in tags:
        return app.version
    return _conflict(request, app, tags)


def _conflict(request, app, tags):
    known = [int(tag.strip('"')) for tag in tags if tag.strip('"').isdigit()]
    since = min(known) if known else 0
    events = AuditEvent.objects.filter(application_pk=app.pk, app_version__gt=since).order_by("created", "id")
    return problems.problem(
        request,
        412,
        "edit-conflict",
        _("The application changed since you read it."),
        _("Someone saved version %(version)d meanwhile. Read it again, then send your change.")
        % {"version": app.version},
        code="edit_conflict",
        current_version=app.version,
        changes_since=[represent_event(event) for event in events[:AUDIT_PAGE_SIZE]],
        headers={"ETag": etag(app)},
    )


class ClientView(ApiView):
    http_method_names = ["get", "put", "patch", "delete"]

    def get(self, request, pk):
        app = self.get_app(pk)
        if app is None:
            return problems.not_found(request)
        if request.headers.get("If-None-Match") == etag(app):
            response = HttpResponse(status=304)
            response["ETag"] = etag(app)
            return response
        return _json(represent(app, request), ETag=etag(app))

    def put(self, request, pk):
        return self.update(request, pk, partial=False)

    def patch(self, request, pk):
        return self.update(request, pk, partial=True)

    def update(self, request, pk, *, partial: bool):
        found = self.app_at_version(request, pk, Action.CHANGE, if_match_required=True)
        if isinstance(found, HttpResponse):
            return found
        app, version = found
        try:
            data, files = form_input(read_body(request, multipart=False)[0])
        except BadBody as bad:
            return problems.invalid(request, bad.errors)
        values = {**current_values(app), **data} if partial else dict(data)
        values["version"] = str(version)
        form = ApplicationEditForm(values, files, instance=app)
        if not form.is_valid():
            return problems.invalid(request, problems.form_errors(form))
        try:
            result = services.update_application(form, actor=self.caller.user)
        except services.DuplicateName:
            form.add_error(
                "name",
                ValidationError(
                    _("An app with this name was saved a moment ago. Choose another name."), code="name_taken"
                ),
            )
            return problems.invalid(request, problems.form_errors(form))
        except services.EditConflict as conflict:
            if conflict.current is None:
                return problems.not_found(request)
            return _conflict(request, conflict.current, [f'"{version}"'])
        body = represent(result.app, request)
        body["changed"] = sorted(result.changes)
        body["authorizations_revoked"] = result.revoked
        if result.secret:
            body["client_secret"] = self.secret_for_caller(result.app, result.secret)
        return _json(body, ETag=etag(result.app))

    def delete(self, request, pk):
        found = self.app_at_version(request, pk, Action.DELETE, if_match_required=False)
        if isinstance(found, HttpResponse):
            return found
        app, _version = found
        services.delete_application(app, actor=self.caller.user)
        return HttpResponse(status=204)


def _public_client(request, detail):
    return problems.problem(
        request, 409, "public-client", _("A public client has no secret."), detail, code="public_client"
    )


class ClientActionView(ApiView):
    """POST enable / disable / reset-secret / rotate-secret / end-rotation: the pages' buttons."""

    http_method_names = ["post"]
    action = ""
    access = {
        "enable": Action.CHANGE,
        "disable": Action.CHANGE,
        "reset_secret": Action.RESET_SECRET,
        "rotate_secret": Action.ROTATE_SECRET,
        "end_rotation": Action.ROTATE_SECRET,
    }

    def post(self, request, pk):
        found = self.app_at_version(request, pk, self.access[self.action], if_match_required=False)
        if isinstance(found, HttpResponse):
            return found
        app, _version = found
        if self.action in ("reset_secret", "rotate_secret", "end_rotation"):
            return getattr(self, self.action)(request, app)
        changed = services.set_enabled(app, actor=self.caller.user, enabled=self.action == "enable")
        body = represent(app, request)
        body["changed"] = ["enabled"] if changed else []
        return _json(body, ETag=etag(app))

    def reset_secret(self, request, app):
        if app.is_public:
            return _public_client(
                request, _("Public clients authenticate with PKCE alone; there is no secret to reset.")
            )
        limited = limit(request, self.caller, "secret_reset")
        if limited is not None:
            return limited
        secret = services.reset_secret(app, actor=self.caller.user)
        body = represent(app, request)
        body["client_secret"] = self.secret_for_caller(app, secret)
        return _json(body, ETag=etag(app))

    def rotate_secret(self, request, app):
        """A new secret (in this response only) while the old one works for `grace_seconds` more."""
        if app.is_public:
            return _public_client(
                request, _("Public clients authenticate with PKCE alone; there is no secret to rotate.")
            )
        grace = _grace_from_body(request)
        if isinstance(grace, HttpResponse):
            return grace
        limited = limit(request, self.caller, "secret_reset")
        if limited is not None:
            return limited
        try:
            rotation = services.rotate_secret(app, actor=self.caller.user, grace=grace)
        except services.RotationInProgress as busy:
            return problems.problem(
                request,
                409,
                "rotation-in-progress",
                _("A rotation is in progress."),
                _("The old secret of the last rotation still works. End it before rotating again."),
                code=services.RotationInProgress.code,
                old_secret_expires=busy.expires.isoformat(),
            )
        body = represent(app, request)
        body["client_secret"] = self.secret_for_caller(app, rotation.secret)
        body["old_secret_expires"] = rotation.old_secret_expires.isoformat()
        return _json(body, ETag=etag(app))

    def end_rotation(self, request, app):
        ended = services.end_rotation(app, actor=self.caller.user)
        body = represent(app, request)
        body["changed"] = ["secret_rotation"] if ended else []
        return _json(body, ETag=etag(app))


def _no_body(request) -> bool:
    """An empty body, or an empty form (what a POST without data sends from some clients)."""
    if not request.body.strip():
        return True
    form_types = ("multipart/form-data", "application/x-www-form-urlencoded")
    return request.content_type in form_types and not request.POST and not request.FILES


def _grace_from_body(request):
    """The grace period an optional JSON body asks for (`grace_seconds`), or the problem to answer."""
    if _no_body(request):
        return services.ROTATION_GRACE_DEFAULT
    try:
        data, _files = read_body(request, multipart=False)
    except BadBody as bad:
        return problems.invalid(request, bad.errors)
    unknown = sorted(set(data) - {"grace_seconds"})
    if unknown:
        return problems.invalid(
            request,
            [
                problems.field_error(
                    key, "unknown_field", _("There is no field named “%(name)s”.") % {"name": key}
                )
                for key in unknown
            ],
        )
    seconds = data.get("grace_seconds")
    if seconds is None:
        return services.ROTATION_GRACE_DEFAULT
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return problems.invalid(request, [type_error("grace_seconds", int)])
    try:
        return services.check_grace(timedelta(seconds=seconds))
    except (services.GraceOutOfRange, OverflowError):
        error = grace_out_of_range_error()
        return problems.invalid(request, [problems.field_error("grace_seconds", error.code, error.message)])


class BulkView(ApiView):
    http_method_names = ["post"]

    def post(self, request):
        try:
            data, _files = read_body(request, multipart=False)
        except BadBody as bad:
            return problems.invalid(request, bad.errors)
        errors = []
        action = data.get("action")
        if action not in BULK_ACTIONS:
            errors.append(
                problems.field_error(
                    "action",
                    "invalid_choice",
                    _("Choose one of: %(actions)s.") % {"actions": ", ".join(BULK_ACTIONS)},
                )
            )
        ids = data.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(pk, int) and pk > 0 for pk in ids):
            errors.append(problems.field_error("ids", "invalid_ids", _("Send a list of application ids.")))
        elif len(ids) > MAX_BULK:
            errors.append(
                problems.field_error(
                    "ids",
                    "too_many_ids",
                    ngettext(
                        "Send at most %(max)d id at once.", "Send at most %(max)d ids at once.", MAX_BULK
                    )
                    % {"max": MAX_BULK},
                )
            )
        if errors:
            return problems.invalid(request, errors)
        apps = list(
            self.visible(BULK_ACTIONS[action])
            .filter(pk__in=ids)
            .defer("client_secret")
            .order_by(Lower("name"))
        )
        found = {app.pk for app in apps}  # before a delete empties the pks
        if action == "delete":
            count = services.bulk_delete(apps, actor=self.caller.user)
        else:
            count = services.bulk_set_enabled(apps, actor=self.caller.user, enabled=action == "enable")
        return _json(
            {
                "action": action,
                "affected": count,
                "ids": sorted(found),
                "not_found": sorted(set(ids) - found),
            }
        )


class AuditView(ApiView):
    http_method_names = ["get"]

    def get(self, request, pk):
        app = self.get_app(pk)
        if app is None:
            return problems.not_found(request)
        events = AuditEvent.objects.filter(application_pk=app.pk).order_by("-created", "-id")
        paginator, page = _paginate(request, events, AUDIT_PAGE_SIZE)
        if isinstance(page, HttpResponse):
            return page
        return _page_response(
            request, paginator, page, [represent_event(event) for event in page.object_list]
        )
