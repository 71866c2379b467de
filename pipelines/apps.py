from django.apps import AppConfig
from django.core.signals import request_finished


class PipelinesConfig(AppConfig):
    name = "pipelines"
    verbose_name = "Pipelines"

    def ready(self) -> None:
        from pipelines.services.data import release_data_connections

        # Each request's data-database session goes back to the pool when it finishes.
        request_finished.connect(release_data_connections, dispatch_uid="joinery-data-pool")
