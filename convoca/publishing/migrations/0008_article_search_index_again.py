"""Articles, step 4 of 4: the SQLite full-text index's triggers again, and the index rebuilt.

Step 3 made SQLite rebuild ``publishing_article``, which drops its triggers
(see 0003). The same statements as 0003; PostgreSQL needs nothing.
"""

from django.db import migrations

from convoca.publishing.migrations._search_triggers import create


class Migration(migrations.Migration):
    dependencies = [("publishing", "0007_article_texts_only")]

    # Backwards there is nothing to undo: step 3 puts them back after its own rebuild.
    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
