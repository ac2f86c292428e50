"""The SQLite full-text index's triggers (as 0003 made them), for migrations that rebuild the table."""

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


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


create = _run(CREATE)
