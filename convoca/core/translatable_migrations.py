"""A migration operation for moving columns onto the translatable base, reversibly.

Moving a kind onto the base takes two migrations: one fills the shared (or
text) rows from the old columns, the next removes the columns. Undone, the
removal adds the columns back *empty* before the fill's reverse writes them
again, so a column that may not be empty (a title, an organisation, a
translation key) cannot come back on a table that has rows. Put
``NullableUntilRemoved`` first in the filling migration: from there until
the columns are removed they may be empty, which they never are going
forward, and going back the reverse fills them before they are required
again.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation
from django.db.models.fields import NOT_PROVIDED


class NullableUntilRemoved(Operation):
    """Let ``fields`` of ``model_name`` be empty (and have no default) until a later migration
    removes them."""

    reversible = True

    def __init__(self, model_name: str, fields: list[str]):
        self.model_name = model_name
        self.fields = list(fields)

    @property
    def model_name_lower(self) -> str:
        return self.model_name.lower()

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name, "fields": self.fields})

    def state_forwards(self, app_label, state):
        model_state = state.models[app_label, self.model_name_lower]
        for name in self.fields:
            field = model_state.fields[name].clone()
            field.null = True
            # A callable default (a new UUID) would give every row coming back the same value.
            field.default = NOT_PROVIDED
            state.alter_field(app_label, self.model_name_lower, name, field, True)

    def _alter(self, app_label, schema_editor, from_state, to_state):
        from_model = from_state.apps.get_model(app_label, self.model_name)
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, to_model):
            return
        postgresql = schema_editor.connection.vendor == "postgresql"
        if postgresql:
            # Going back, the fill's reverse has just written these rows: PostgreSQL
            # alters no table with foreign-key checks pending, so they run now.
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in self.fields:
            schema_editor.alter_field(
                from_model, from_model._meta.get_field(name), to_model._meta.get_field(name)
            )
        if postgresql:
            schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Let {', '.join(self.fields)} of {self.model_name} be empty until removed"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name_lower}_nullable_until_removed"
