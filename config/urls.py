"""URL map of the portal: landing page, admin, health check and the OpenAPI schema."""

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from frontend.views import index
from pipelines.api.health import healthz

urlpatterns = [
    path("", index, name="index"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
