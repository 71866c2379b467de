"""Routes under ``/api/``."""

from django.urls import include, path

from pipelines.api import auth, pipelines, tokens

urlpatterns = [
    path("auth/me/", auth.MeView.as_view(), name="api-me"),
    path("auth/login/", auth.LoginView.as_view(), name="api-login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("tokens/", tokens.TokenList.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", tokens.TokenDetail.as_view(), name="api-token"),
    path("pipelines/", pipelines.PipelineList.as_view(), name="api-pipelines"),
    path("pipelines/<slug:slug>/", pipelines.PipelineDetail.as_view(), name="api-pipeline"),
    path("pipelines/<slug:slug>/members/", pipelines.MemberList.as_view(), name="api-members"),
    path(
        "pipelines/<slug:slug>/members/<str:username>/",
        pipelines.MemberDetail.as_view(),
        name="api-member",
    ),
    path("pipelines/<slug:slug>/audit/", pipelines.AuditList.as_view(), name="api-audit"),
    path("pipelines/<slug:slug>/", include("pipelines.api.routes.definitions")),
    path("pipelines/<slug:slug>/", include("pipelines.api.routes.rows")),
    path("pipelines/<slug:slug>/", include("pipelines.api.routes.queries")),
    path("pipelines/<slug:slug>/", include("pipelines.api.routes.runs")),
    path("pipelines/<slug:slug>/", include("pipelines.api.routes.plots")),
]
