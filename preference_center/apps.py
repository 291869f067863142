from django.apps import AppConfig


class PreferenceCenterConfig(AppConfig):
    name = "preference_center"
    verbose_name = "Preference center"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from . import page_cache, redaction
        from .services import account

        page_cache.connect_signals()
        redaction.add_secret_source(account.api_key_forms)
