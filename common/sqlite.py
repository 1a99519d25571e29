"""SQLite connections tell Django how many parameters one statement may really carry."""

import sqlite3


def use_real_parameter_limit(sender, connection, **kwargs):
    """`connection_created` receiver: raise Django's SQLite parameter budget to the library's real one.

    Django 5.2 assumes 999 parameters per statement (SQLite's limit before 3.32), so
    `bulk_create` splits 100 audit records of 10 columns into two INSERTs. SQLite
    here allows 32,766; asking the library keeps one INSERT for a page of bulk
    actions. (Django 6.0 asks the library itself.)
    """
    if connection.vendor != "sqlite":
        return
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = max(999, limit)
