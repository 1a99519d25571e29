"""An app's people page (owner, co-maintainers, transfer) and the recipient's offers pages.

Who may do what is oauth_apps/access.py's; the writes are oauth_apps/ownership.py's.
Every form works without JavaScript: each action is a plain POST that redirects
back, and a refused entry redraws the page with the message next to the field (400).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import TemplateResponseMixin
from django.views.generic.detail import SingleObjectMixin

from .access import Action, OwnedApplicationMixin, abilities, may, may_leave, pending_offers_for
from .forms import MaintainerForm, TransferForm
from .models import Maintainer
from .ownership import (
    OFFER_DAYS,
    OfferGone,
    accept_offer,
    add_maintainer,
    cancel_offer,
    decline_offer,
    offer_app,
    open_offer,
    remove_maintainer,
)
from .views import ConfirmView


class ApplicationPeopleView(OwnedApplicationMixin, SingleObjectMixin, TemplateResponseMixin, View):
    """Owner and co-maintainers; for the owner, the forms to add people and to transfer the app."""

    template_name = "oauth_apps/application_people.html"
    context_object_name = "app"

    def get_queryset(self):
        return super().get_queryset().select_related("user").defer("client_secret")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_page()

    def render_page(self, maintainer_form=None, transfer_form=None, status=200):
        app = self.object
        context = self.get_context_data(
            can=abilities(self.request.user, app),
            maintainers=Maintainer.objects.filter(application=app).select_related("user", "added_by"),
            offer=open_offer(app),
            offer_days=OFFER_DAYS,
            maintainer_form=maintainer_form or MaintainerForm(app=app, prefix="maintainer"),
            transfer_form=transfer_form or TransferForm(app=app, prefix="transfer"),
        )
        return self.render_to_response(context, status=status)

    def people_url(self):
        return reverse("oauth_apps:people", args=[self.object.pk])


class PersonFormView(ApplicationPeopleView):
    """POST one of the People page's forms (it names a person); a refusal redraws the page with it (400)."""

    http_method_names = ["post"]
    form_class = None
    prefix = ""

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, app=self.object, prefix=self.prefix)
        if form.is_valid():
            try:
                message = self.act(form.cleaned_data["person"], form.cleaned_data)
            except ValidationError as error:
                form.add_error("person", error)
            else:
                messages.success(request, message)
                return redirect(self.people_url())
        return self.render_page(**{f"{self.prefix}_form": form}, status=400)

    def act(self, person, data) -> str:
        """Do the write; return the message that confirms it."""
        raise NotImplementedError


class MaintainerAddView(PersonFormView):
    access_action = Action.MANAGE_MAINTAINERS
    form_class = MaintainerForm
    prefix = "maintainer"

    def act(self, person, data):
        add_maintainer(self.object, person, actor=self.request.user)
        return _("%(name)s is now a co-maintainer of %(app)s.") % {
            "name": person.get_username(),
            "app": self.object.name,
        }


class TransferOfferView(PersonFormView):
    access_action = Action.TRANSFER
    form_class = TransferForm
    prefix = "transfer"

    def act(self, person, data):
        offer_app(self.object, person, actor=self.request.user, keep_as_maintainer=data["keep_as_maintainer"])
        return _("%(app)s is offered to %(name)s. Nothing changes until they accept.") % {
            "app": self.object.name,
            "name": person.get_username(),
        }


class TransferCancelView(ApplicationPeopleView):
    http_method_names = ["post"]
    access_action = Action.TRANSFER

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        offer = open_offer(self.object)
        try:
            if offer is None:
                raise OfferGone
            cancel_offer(offer, actor=request.user)
        except OfferGone:
            messages.info(request, _("There was no open offer to cancel."))
        else:
            messages.success(
                request, _("The offer is cancelled; %(app)s stays yours.") % {"app": self.object.name}
            )
        return redirect(self.people_url())


class MaintainerRemoveView(ConfirmView):
    """The owner takes a co-maintainer off the app, or a co-maintainer leaves it."""

    def get_object(self, queryset=None):
        app = super().get_object(queryset)
        user = self.request.user
        self.leaving = self.kwargs["user_pk"] == user.pk
        if not (may(user, Action.MANAGE_MAINTAINERS, app) or (self.leaving and may_leave(user, app))):
            raise Http404
        row = Maintainer.objects.filter(application=app, user_id=self.kwargs["user_pk"]).select_related(
            "user"
        )
        self.maintainer = row.first()
        if self.maintainer is None:
            raise Http404
        return app

    def confirmation(self):
        if self.leaving:
            return {
                "title": _("Leave %(app)s?") % {"app": self.object.name},
                "message": _(
                    "You will no longer be able to open or change this app. Only its owner can add you again."
                ),
                "button": _("Leave"),
                "button_class": "danger",
            }
        return {
            "title": _("Remove %(name)s from %(app)s?")
            % {"name": self.maintainer.user.get_username(), "app": self.object.name},
            "message": _("They will no longer be able to open or change this app."),
            "button": _("Remove"),
            "button_class": "danger",
        }

    def perform(self):
        person = self.maintainer.user
        remove_maintainer(self.object, person, actor=self.request.user)
        if self.leaving:
            messages.success(self.request, _("You left %(app)s.") % {"app": self.object.name})
            return redirect("oauth_apps:list")
        messages.success(
            self.request,
            _("%(name)s is no longer a co-maintainer of %(app)s.")
            % {"name": person.get_username(), "app": self.object.name},
        )
        return redirect("oauth_apps:people", pk=self.object.pk)


# --- the recipient's side ---------------------------------------------------------


def _open_offers(user):
    return pending_offers_for(user).select_related("application", "application__user", "from_user")


class OffersView(LoginRequiredMixin, TemplateView):
    """Apps other users offer to the signed-in user."""

    template_name = "oauth_apps/offers.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(offers=list(_open_offers(self.request.user)), **kwargs)


class OfferView(LoginRequiredMixin, TemplateResponseMixin, View):
    """One offer, with Accept and Decline; only its recipient finds it (anyone else: 404)."""

    template_name = "oauth_apps/offer.html"

    def get_offer(self):
        offer = _open_offers(self.request.user).filter(pk=self.kwargs["offer_pk"]).first()
        if offer is None:
            raise Http404
        return offer

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"offer": self.get_offer()})

    def post(self, request, *args, **kwargs):
        offer = self.get_offer()
        name = offer.application.name
        try:
            if "accept" in request.POST:
                app = accept_offer(offer, actor=request.user)
                messages.success(request, _("You are now the owner of %(app)s.") % {"app": name})
                return redirect(app)
            if "decline" in request.POST:
                decline_offer(offer, actor=request.user)
                messages.success(request, _("You declined %(app)s; nothing changed.") % {"app": name})
                return redirect("oauth_apps:offers")
        except OfferGone:
            messages.warning(request, _("This offer is no longer open; nothing changed."))
            return redirect("oauth_apps:offers")
        return redirect("oauth_apps:offer", offer_pk=offer.pk)
