"""URL map of the portal: landing page, admin, health check, the API and its OpenAPI schema."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from frontend.views import index
from pipelines.api.health import healthz

urlpatterns = [
    path("", index, name="index"),
    # The web app's own routes (sign in, a pipeline's pages): the same page, routed in the browser.
    re_path(r"^(?:login|p/.*)$", index, name="app"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("pipelines.api.urls")),
]

handler404 = "pipelines.api.errors.not_found"
handler500 = "pipelines.api.errors.server_error"
