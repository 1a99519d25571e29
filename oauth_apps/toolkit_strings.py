"""Labels our admin shows that come from django-oauth-toolkit's models.

The toolkit marks them for translation but ships no catalogs, and Django looks a
string up in every catalog it loaded, so listing them here puts them in ours.
tests/test_admin_languages.py fails if an upgrade of the toolkit renames one.
"""

from django.utils.translation import gettext_noop

TOOLKIT_FIELD_LABELS = {
    "name": gettext_noop("name"),
    "client_id": gettext_noop("client ID"),
    "client_type": gettext_noop("client type"),
    "redirect_uris": gettext_noop("redirect URIs"),
    "allowed_origins": gettext_noop("allowed origins"),
    "created": gettext_noop("created"),
    "updated": gettext_noop("updated"),
}
TOOLKIT_HELP_TEXTS = {
    "redirect_uris": gettext_noop("Allowed URIs list, space separated"),
    "allowed_origins": gettext_noop("Allowed origins list to enable CORS, space separated"),
}
# The client type's choices, shown by get_client_type_display() on the detail page and in the admin.
TOOLKIT_CLIENT_TYPES = {
    "confidential": gettext_noop("Confidential"),
    "public": gettext_noop("Public"),
}
