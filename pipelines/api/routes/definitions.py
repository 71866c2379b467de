"""Routes under ``/api/pipelines/<slug>/`` for the definitions endpoints."""

from django.urls import URLPattern, path

from pipelines.api import definitions as views
from pipelines.api.definition_code import DefinitionCode

urlpatterns: list[URLPattern] = [
    path("definitions/", views.DefinitionList.as_view(), name="api-definitions"),
    path(
        "definitions/validate/",
        views.DefinitionValidate.as_view(),
        name="api-definitions-validate",
    ),
    path("definitions/code/", DefinitionCode.as_view(), name="api-definitions-code"),
    path("definitions/apply/", views.DefinitionApply.as_view(), name="api-definitions-apply"),
    path(
        "definitions/<int:definition_id>/",
        views.DefinitionDetail.as_view(),
        name="api-definition",
    ),
    path("revisions/", views.RevisionList.as_view(), name="api-revisions"),
    path("revisions/<int:number>/", views.RevisionDetail.as_view(), name="api-revision"),
    path(
        "revisions/<int:number>/restore/",
        views.RevisionRestore.as_view(),
        name="api-revision-restore",
    ),
    path("import/", views.SchemaImport.as_view(), name="api-schema-import"),
]
