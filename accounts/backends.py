"""Sign-in backend: Django's, with the user's profile loaded in the same query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Every signed-in request reads the profile (time zone, language): join it to the user query.

    A user without a profile row gets none cached, so `user.profile` raises
    `Profile.DoesNotExist` without a second query.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
