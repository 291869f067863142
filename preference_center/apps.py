from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PreferenceCenterConfig(AppConfig):
    name = "preference_center"
    verbose_name = _("Preference center")  # the admin's heading over pages, reasons and unsubscribes

    def ready(self) -> None:
        from . import checks, redaction  # noqa: F401  (checks: registers the system checks)
        from .backoffice import admin  # noqa: F401  (registers the admin screens: autodiscovery looks for admin.py)
        from .pages import page_cache
        from . import account

        page_cache.connect_signals()
        redaction.add_secret_source(account.api_key_forms)
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="preference_center_cache_tables")


def create_cache_tables(sender, using: str, verbosity: int = 1, stdout=None, **kwargs) -> None:
    """The database cache's table (CACHES, CACHE_URL) is no model, so no migration creates it; Django's
    `createcachetable` does. Run after every `migrate` (a fresh install runs only migrate and collectstatic) and
    `flush`: it creates what is missing and leaves existing tables alone, and does nothing for other backends."""
    # One level quieter than migrate: "already exists" on every run would be noise.
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1),
                 **({"stdout": stdout} if stdout else {}))
