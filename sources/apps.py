from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Email sources"

    def ready(self) -> None:
        from django.conf import settings

        from sources.checker.domains import allow_test_domains
        from sources.permissions import ensure_moderators_group

        allow_test_domains(settings.CHECKER_ALLOW_TEST_DOMAINS)

        post_migrate.connect(ensure_moderators_group, sender=self)
