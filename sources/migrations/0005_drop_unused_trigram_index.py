# The GIN trigram index on Vendor.search_names was never read: names are matched by
# the in-memory index in sources/search.py (see selectors.py for the measurements).

from django.db import migrations


class PostgresRemoveIndex(migrations.RemoveIndex):
    """The index exists on PostgreSQL only (0001); SQLite changes the state, runs no SQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_evidence_and_routes"),
    ]

    operations = [
        PostgresRemoveIndex(model_name="vendor", name="vendor_names_trgm"),
    ]
