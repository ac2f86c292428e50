"""Full-text index of articles on SQLite (FTS5), kept up to date by triggers.

PostgreSQL needs no table: the search selector uses its built-in text
search. This migration must stay after any migration that makes SQLite
rebuild ``publishing_article`` (a rebuild drops its triggers); a test checks
that the triggers exist.
"""

from django.db import migrations

FTS_COLUMNS = "title, standfirst, body"

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS publishing_article_fts USING fts5("
    f"{FTS_COLUMNS}, content='publishing_article', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS publishing_article_fts_insert AFTER INSERT ON publishing_article "
    f"BEGIN INSERT INTO publishing_article_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.id, new.title, new.standfirst, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS publishing_article_fts_delete AFTER DELETE ON publishing_article "
    f"BEGIN INSERT INTO publishing_article_fts(publishing_article_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.standfirst, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS publishing_article_fts_update AFTER UPDATE ON publishing_article "
    f"BEGIN INSERT INTO publishing_article_fts(publishing_article_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.standfirst, old.body); "
    f"INSERT INTO publishing_article_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.id, new.title, new.standfirst, new.body); END",
    "INSERT INTO publishing_article_fts(publishing_article_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS publishing_article_fts_insert",
    "DROP TRIGGER IF EXISTS publishing_article_fts_delete",
    "DROP TRIGGER IF EXISTS publishing_article_fts_update",
    "DROP TABLE IF EXISTS publishing_article_fts",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_topics_images_weekly_press")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
