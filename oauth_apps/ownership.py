"""An app's people: co-maintainers, and handing the app to a new owner.

Writes, each with its audit event, as in services.py. Who may call what is
oauth_apps/access.py's business; these functions check only what the data must
satisfy (the recipient exists and is active, nobody is listed twice, an offer
is still open). A rule broken raises ValidationError with a stable code
(docs/error-codes.md), which the views show next to the field.

A transfer is an offer until the recipient accepts it: until then the app, its
owner, its secret and its tokens stay exactly as they were.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction, Maintainer, OAuthApplication, OwnershipOffer

OFFER_DAYS = 14
MAX_MAINTAINERS = 20
PERSON_MAX_LENGTH = 254


def find_person(text: str):
    """The user a form names by username (exact) or e-mail address (when it belongs to one user only).

    Raises ValidationError `user_unknown` or `user_inactive`.
    """
    users = get_user_model()
    text = (text or "").strip()
    person = users.objects.filter(username=text).first() if text else None
    if person is None and "@" in text:
        matches = list(users.objects.filter(email__iexact=text)[:2])
        person = matches[0] if len(matches) == 1 else None
    if person is None:
        raise ValidationError(_("No user has this username or e-mail address."), code="user_unknown")
    if not person.is_active:
        raise ValidationError(
            _("%(name)s’s account is deactivated.") % {"name": person.get_username()}, code="user_inactive"
        )
    return person


# --- co-maintainers ------------------------------------------------------------------


def check_new_maintainer(app: OAuthApplication, person) -> None:
    if person.pk == app.user_id:
        raise ValidationError(
            _("The owner already has every right over the app."), code="maintainer_is_owner"
        )
    if Maintainer.objects.filter(application=app, user=person).exists():
        raise ValidationError(
            _("%(name)s is already a co-maintainer.") % {"name": person.get_username()},
            code="already_maintainer",
        )
    if Maintainer.objects.filter(application=app).count() >= MAX_MAINTAINERS:
        raise ValidationError(
            _("An app has at most %(count)d co-maintainers; remove one first.") % {"count": MAX_MAINTAINERS},
            code="maintainers_too_many",
        )


def add_maintainer(app: OAuthApplication, person, *, actor) -> Maintainer:
    """Make `person` a co-maintainer of `app` (the caller checked that `actor` may)."""
    check_new_maintainer(app, person)
    try:
        with transaction.atomic():
            maintainer = Maintainer.objects.create(application=app, user=person, added_by=actor)
            audit.record(app, actor, AuditAction.MAINTAINER_ADDED, {"maintainer": person.get_username()})
    except IntegrityError:
        # Added by someone else a moment ago.
        raise ValidationError(
            _("%(name)s is already a co-maintainer.") % {"name": person.get_username()},
            code="already_maintainer",
        ) from None
    return maintainer


def remove_maintainer(app: OAuthApplication, person, *, actor) -> bool:
    """Take `person` off `app`'s co-maintainers; False if they were not one.

    When `actor` is `person`, they left (recorded as such).
    """
    with transaction.atomic():
        deleted, _rows = Maintainer.objects.filter(application=app, user=person).delete()
        if not deleted:
            return False
        action = AuditAction.MAINTAINER_LEFT if actor.pk == person.pk else AuditAction.MAINTAINER_REMOVED
        audit.record(app, actor, action, {"maintainer": person.get_username()})
    return True


# --- transfer ----------------------------------------------------------------------


class OfferGone(Exception):
    """The offer was cancelled, declined, accepted or expired, or the app changed hands meanwhile."""


def open_offer(app: OAuthApplication) -> OwnershipOffer | None:
    """The app's unexpired offer, if any."""
    return (
        OwnershipOffer.objects.filter(application=app, expires__gt=timezone.now())
        .select_related("to_user", "from_user")
        .first()
    )


def check_recipient(app: OAuthApplication, person) -> None:
    if person.pk == app.user_id:
        raise ValidationError(_("You already own this app; choose someone else."), code="offer_to_self")


def offer_app(app: OAuthApplication, person, *, actor, keep_as_maintainer: bool = False) -> OwnershipOffer:
    """Offer `app` to `person`; nothing else changes until they accept.

    At most one open offer per app: a second one is refused (`offer_pending`)
    until the first is cancelled, declined or expired.
    """
    check_recipient(app, person)
    now = timezone.now()
    with transaction.atomic():
        current = OwnershipOffer.objects.select_for_update().filter(application=app).first()
        if current is not None and current.expires > now:
            raise ValidationError(
                _("This app is already offered to %(name)s; cancel that offer first.")
                % {"name": current.to_user.get_username()},
                code="offer_pending",
            )
        if current is not None:
            current.delete()  # expired: its audit event already said until when it was valid
        offer = OwnershipOffer.objects.create(
            application=app,
            from_user=actor,
            to_user=person,
            keep_as_maintainer=keep_as_maintainer,
            expires=now + timedelta(days=OFFER_DAYS),
        )
        audit.record(
            app,
            actor,
            AuditAction.TRANSFER_OFFERED,
            {"offered_to": person.get_username(), "expires": offer.expires.isoformat()},
        )
    return offer


def _close(offer: OwnershipOffer, actor, action: AuditAction) -> None:
    with transaction.atomic():
        deleted, _rows = OwnershipOffer.objects.filter(pk=offer.pk, expires__gt=timezone.now()).delete()
        if not deleted:
            raise OfferGone(offer.pk)
        audit.record(offer.application, actor, action, {"offered_to": offer.to_user.get_username()})


def cancel_offer(offer: OwnershipOffer, *, actor) -> None:
    """The owner withdraws the offer."""
    _close(offer, actor, AuditAction.TRANSFER_CANCELLED)


def decline_offer(offer: OwnershipOffer, *, actor) -> None:
    """The recipient turns the offer down."""
    _close(offer, actor, AuditAction.TRANSFER_DECLINED)


def accept_offer(offer: OwnershipOffer, *, actor) -> OAuthApplication:
    """The recipient (`actor`) becomes the owner; returns the app as it now is.

    The previous owner keeps nothing, unless they chose when offering to stay on
    as a co-maintainer. The recipient stops being a co-maintainer (they own it
    now). The secret, tokens and settings are untouched and no secret is shown.
    """
    now = timezone.now()
    with transaction.atomic():
        offer = (
            OwnershipOffer.objects.select_for_update()
            .select_related("from_user")
            .filter(pk=offer.pk, to_user_id=actor.pk, expires__gt=now)
            .first()
        )
        if offer is None:
            raise OfferGone
        app = _hand_over(offer, actor, now)
    if app is None:
        # The app changed owner by other means meanwhile (a maintenance script); the offer is dropped.
        raise OfferGone
    return app


def _hand_over(offer: OwnershipOffer, actor, now) -> OAuthApplication | None:
    previous = offer.from_user
    offer.delete()
    moved = OAuthApplication.objects.filter(pk=offer.application_id, user_id=previous.pk).update(
        user=actor, modified_by=actor, updated=now, version=F("version") + 1
    )
    if not moved:
        return None
    Maintainer.objects.filter(application_id=offer.application_id, user=actor).delete()
    stays = offer.keep_as_maintainer and previous.is_active
    if stays:
        Maintainer.objects.create(application_id=offer.application_id, user=previous, added_by=previous)
    app = OAuthApplication.objects.get(pk=offer.application_id)
    audit.record(
        app,
        actor,
        AuditAction.TRANSFER_ACCEPTED,
        {
            "previous_owner": previous.get_username(),
            "new_owner": actor.get_username(),
            "previous_owner_stays": stays,
        },
    )
    return app
