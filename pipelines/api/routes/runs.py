"""Routes under ``/api/pipelines/<slug>/`` for the runs endpoints."""

from django.urls import path

from pipelines.api import runs

TABLE = "populate/<str:schema>/<str:table>"

urlpatterns = [
    path("runs/", runs.RunList.as_view(), name="api-runs"),
    path("runs/<int:run_id>/", runs.RunDetail.as_view(), name="api-run"),
    path("runs/<int:run_id>/cancel/", runs.RunCancel.as_view(), name="api-run-cancel"),
    path("runs/<int:run_id>/retry/", runs.RunRetry.as_view(), name="api-run-retry"),
    path("events/", runs.EventList.as_view(), name="api-events"),
    path("workers/", runs.WorkerList.as_view(), name="api-workers"),
    path("populate/status/", runs.StatusView.as_view(), name="api-populate-status"),
    path(f"{TABLE}/code/", runs.TableCode.as_view(), name="api-populate-code"),
    path(f"{TABLE}/errors/", runs.JobErrors.as_view(), name="api-populate-errors"),
    path(f"{TABLE}/errors/clear/", runs.JobErrorsClear.as_view(), name="api-populate-clear"),
    path(f"{TABLE}/ignore/", runs.JobIgnore.as_view(), name="api-populate-ignore"),
]
