from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

# Typo tolerance: 'sendgird' shares 5 of its 9 trigrams with 'sendgrid' (0.56), while
# 'zendesk' shares only 3 of 8 with unrelated names ending in 'desk'.
WORD_SIMILARITY_THRESHOLD = 0.5


def tune_postgres(sender, connection, **kwargs) -> None:
    """Let the indexed `%>` trigram operator match typos, not only near-identical words."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(WORD_SIMILARITY_THRESHOLD)],
            )


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Email sources"

    def ready(self) -> None:
        from sources.permissions import ensure_moderators_group

        post_migrate.connect(ensure_moderators_group, sender=self)
        connection_created.connect(tune_postgres)
