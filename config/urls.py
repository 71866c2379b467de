"""URL map of the portal: landing page, admin, health check, the API and its OpenAPI schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from frontend.views import index
from pipelines.api.health import healthz

urlpatterns = [
    path("", index, name="index"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("pipelines.api.urls")),
]

handler404 = "pipelines.api.errors.not_found"
handler500 = "pipelines.api.errors.server_error"
