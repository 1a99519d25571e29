"""The review queue: staff approve or reject new apps when the portal reviews them (PortalPolicy).

Who may review is decided in access.py (Action.REVIEW); what approving and
rejecting write is services.review_application. These views only show the
queue and turn a form into that call. Each app's card holds one form with a
note and two buttons, so it works without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from .access import Action, may_act_on_others, may_review
from .models import REVIEW_NOTE_MAX_LENGTH, OAuthApplication, ReviewState
from .services import review_application

QUEUE_PAGE_SIZE = 20


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(
        label=gettext_lazy("Note to the owner"),
        help_text=gettext_lazy(
            "Required to reject: say what must change. The owner sees it on the app's page."
        ),
        max_length=REVIEW_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, app=None, **kwargs):
        # One form per card: the app's id keeps each card's field ids apart.
        if app is not None:
            kwargs.setdefault("auto_id", f"review-{app.pk}-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("note"):
            self.add_error(
                "note",
                ValidationError(
                    _("Give the reason for rejecting it: the owner reads it to know what to change."),
                    code="review_note_required",
                ),
            )
        return cleaned


def pending_applications():
    """The queue, oldest request first (served by the partial index oauth_app_review_queue_idx)."""
    return OAuthApplication.objects.filter(review_state=ReviewState.PENDING).order_by(
        "review_requested", "id"
    )


class ReviewerRequiredMixin(LoginRequiredMixin):
    """Signed in, and holding the review power; to anyone else the queue does not exist (404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_review(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReviewQueueView(ReviewerRequiredMixin, TemplateResponseMixin, View):
    template_name = "oauth_apps/review_queue.html"

    def get(self, request, *args, **kwargs):
        return self.render_queue()

    def render_queue(self, failed: tuple[int, ReviewForm] | None = None, status=200):
        paginator = Paginator(
            pending_applications().select_related("user").defer("client_secret"), QUEUE_PAGE_SIZE
        )
        page = paginator.get_page(self.request.GET.get("page"))
        apps = list(page.object_list)
        for app in apps:
            bound = failed is not None and failed[0] == app.pk
            app.review_form = failed[1] if bound else ReviewForm(app=app)
        context = {
            "page_obj": page,
            "paginator": paginator,
            "applications": apps,
            "may_view": may_act_on_others(self.request.user, Action.VIEW),
        }
        return self.render_to_response(context, status=status)


class ReviewDecisionView(ReviewQueueView):
    """POST: approve or reject one app; a rejection without a reason redraws the queue with the error."""

    http_method_names = ["post"]

    def post(self, request, pk):
        app = get_object_or_404(OAuthApplication.objects.defer("client_secret"), pk=pk)
        form = ReviewForm(request.POST, app=app)
        if not form.is_valid():
            if app.review_state != ReviewState.PENDING:
                raise Http404
            return self.render_queue(failed=(app.pk, form), status=400)
        approve = form.cleaned_data["decision"] == "approve"
        done = review_application(app, actor=request.user, approve=approve, note=form.cleaned_data["note"])
        if not done:
            messages.info(request, _("%(name)s was already reviewed; nothing changed.") % {"name": app.name})
        elif approve:
            messages.success(request, _("%(name)s is approved: it can sign people in.") % {"name": app.name})
        else:
            messages.success(
                request,
                _("%(name)s is rejected: its owner sees your reason on the app's page.") % {"name": app.name},
            )
        return redirect("oauth_apps:review_queue")


class ReviewQueueLink:
    """The navigation's link to the queue: whether to show it, and how many apps wait.

    Asked only when a page draws the navigation. For someone who may not review
    it costs no query (access.py answers from the user already loaded; a staff
    member's permissions are read once per request); for a reviewer, one COUNT
    answered from the partial index of pending apps.
    """

    def __init__(self, user):
        self.allowed = may_review(user)
        self.count = pending_applications().count() if self.allowed else 0


def review_queue(request):
    """Context processor: `review_queue` for the navigation in base.html, computed when first used."""
    return {"review_queue": SimpleLazyObject(lambda: ReviewQueueLink(getattr(request, "user", None)))}
