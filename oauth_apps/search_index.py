"""SQLite's index for name search: an FTS5 table with the trigram tokenizer, kept in step by triggers.

`name LIKE '%…%'` cannot use a B-tree index, so on SQLite the list's name search
would read every app. A trigram index finds the apps whose name contains the
searched text (three characters or more, any case) without a scan. PostgreSQL
has its own (pg_trgm, migration 0003) and needs nothing here.

The FTS table is an "external content" table over the application table: it
stores only the index, and three triggers keep it in step with every INSERT,
UPDATE of the name and DELETE, whoever writes (services, admin, seeding, bulk
deletes, raw SQL). Django rebuilds a SQLite table for some schema changes, which
drops the table's triggers; `ensure()` runs after every `migrate` (post_migrate)
and puts back whatever is missing, then rebuilds the index from the table.
"""

import logging

log = logging.getLogger(__name__)

TABLE = "oauth_app_name_fts"
APP_TABLE = "oauth_apps_oauthapplication"
# Constant SQL (no value is ever formatted into it).
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS oauth_app_name_fts USING fts5("
    "name, content='oauth_apps_oauthapplication', content_rowid='id', tokenize='trigram')"
)
TRIGGERS = {
    "oauth_app_name_fts_insert": """
        CREATE TRIGGER IF NOT EXISTS oauth_app_name_fts_insert
        AFTER INSERT ON oauth_apps_oauthapplication BEGIN
            INSERT INTO oauth_app_name_fts (rowid, name) VALUES (new.id, new.name);
        END""",
    "oauth_app_name_fts_delete": """
        CREATE TRIGGER IF NOT EXISTS oauth_app_name_fts_delete
        AFTER DELETE ON oauth_apps_oauthapplication BEGIN
            INSERT INTO oauth_app_name_fts (oauth_app_name_fts, rowid, name)
            VALUES ('delete', old.id, old.name);
        END""",
    "oauth_app_name_fts_update": """
        CREATE TRIGGER IF NOT EXISTS oauth_app_name_fts_update
        AFTER UPDATE OF name ON oauth_apps_oauthapplication BEGIN
            INSERT INTO oauth_app_name_fts (oauth_app_name_fts, rowid, name)
            VALUES ('delete', old.id, old.name);
            INSERT INTO oauth_app_name_fts (rowid, name) VALUES (new.id, new.name);
        END""",
}
REBUILD = "INSERT INTO oauth_app_name_fts (oauth_app_name_fts) VALUES ('rebuild')"
# The newest matches first (highest id), at most a given number: a word many names share
# stops there instead of reading every match (listing.SEARCH_MATCH_LIMIT).
MATCHING_IDS = (
    "SELECT rowid FROM oauth_app_name_fts WHERE oauth_app_name_fts MATCH %s ORDER BY rowid DESC LIMIT %s"
)
# Any matches, in the index's own order: FTS5 reads its lists forward faster than backward (a
# long name at 100,000 apps: ~1.1 ms against ~1.8 ms). Enough when there are no more than asked for.
ANY_MATCHING_IDS = "SELECT rowid FROM oauth_app_name_fts WHERE oauth_app_name_fts MATCH %s LIMIT %s"
# The shortest text the trigram index can find; shorter searches scan the list indexes.
MIN_LENGTH = 3


def ensure(connection) -> None:
    """Create the FTS table and its triggers where missing; rebuild the index if anything was missing."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND tbl_name = %s)",
            [TABLE, APP_TABLE],
        )
        present = {row[0] for row in cursor.fetchall()}
        if APP_TABLE not in connection.introspection.table_names(cursor):
            return  # migrated backwards past the application table
        missing = ({TABLE} | set(TRIGGERS)) - present
        if not missing:
            return
        cursor.execute(CREATE_TABLE)
        for statement in TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(REBUILD)
    log.info("Name search index: created %s and rebuilt it.", ", ".join(sorted(missing)))


def drop(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute("DROP TRIGGER IF EXISTS " + connection.ops.quote_name(name))
        cursor.execute("DROP TABLE IF EXISTS oauth_app_name_fts")


def matching_ids_sql(text: str, limit: int, *, newest: bool = True) -> tuple[str, list]:
    """SQL selecting the ids of at most `limit` apps whose name contains `text` (any case), the most
    recently registered first, and its parameters.

    The text becomes one FTS5 phrase: with the trigram tokenizer a phrase matches
    wherever it occurs in the name. A double quote is the only character a phrase
    must escape (by doubling it); everything else, `%` and `_` included, is literal.
    With `newest=False`, any `limit` matches, in no particular order.
    """
    phrase = '"' + text.replace('"', '""') + '"'
    return MATCHING_IDS if newest else ANY_MATCHING_IDS, [phrase, limit]
