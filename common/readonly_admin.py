"""A Django admin page that only shows: nobody adds, changes or deletes a row through it."""

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Every field the page shows is read-only, so a subclass lists its `fields` once."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A class attribute (not get_readonly_fields) so the admin's checks still see the names.
        if cls.fields and "readonly_fields" not in cls.__dict__:
            cls.readonly_fields = cls.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
