"""Sign-in backend: Django's, with the user's profile loaded in the same query and permissions in one."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router


def _all_permissions_sql() -> str:
    """SQL for a user's own and their groups' permissions as (app label, codename), one query.

    Django's backend reads the two in two queries, each built through the ORM on every
    request that checks a permission (a staff member's list page checks several).
    """
    user_model = get_user_model()
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    user_permissions = user_model.user_permissions.through._meta.db_table
    user_groups = user_model.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return (
        f'SELECT ct."app_label", p."codename" FROM "{permission}" p'  # noqa: S608 -- table names from the models
        f' INNER JOIN "{content_type}" ct ON ct."id" = p."content_type_id"'
        f' WHERE p."id" IN (SELECT "permission_id" FROM "{user_permissions}" WHERE "user_id" = %s'
        f' UNION SELECT gp."permission_id" FROM "{group_permissions}" gp'
        f' INNER JOIN "{user_groups}" ug ON ug."group_id" = gp."group_id" WHERE ug."user_id" = %s)'
    )


class ProfileBackend(ModelBackend):
    """Every signed-in request reads the profile (time zone, language): join it to the user query.

    A user without a profile row gets none cached, so `user.profile` raises
    `Profile.DoesNotExist` without a second query.
    """

    _permissions_sql = None

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """Django's answer (the user's own permissions and their groups'), read in one query, not two.

        A superuser holds every permission, as in Django's backend; the set is cached on
        the user object for the request, under the same name Django's backend uses.
        """
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                user_obj._perm_cache = super().get_all_permissions(user_obj)
            else:
                if ProfileBackend._permissions_sql is None:
                    ProfileBackend._permissions_sql = _all_permissions_sql()
                db = router.db_for_read(Permission, instance=user_obj)
                with connections[db].cursor() as cursor:
                    cursor.execute(ProfileBackend._permissions_sql, [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
