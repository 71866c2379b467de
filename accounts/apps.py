from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the Bearer token scheme with the OpenAPI generator.
        from accounts import openapi  # noqa: F401
