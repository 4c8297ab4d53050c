from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Email sources"

    def ready(self) -> None:
        from sources.permissions import ensure_moderators_group

        post_migrate.connect(ensure_moderators_group, sender=self)
