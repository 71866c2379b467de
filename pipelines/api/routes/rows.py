"""Routes under ``/api/pipelines/<slug>/`` for the tables and rows endpoints."""

from django.urls import URLPattern, path

from pipelines.api import rows

ROWS = "tables/<str:schema>/<str:name>/rows/"

urlpatterns: list[URLPattern] = [
    path("tables/", rows.TableList.as_view(), name="api-tables"),
    path("tables/<str:schema>/<str:name>/", rows.TableDetail.as_view(), name="api-table"),
    path(ROWS, rows.Rows.as_view(), name="api-rows"),
    path(ROWS + "search/", rows.RowsSearch.as_view(), name="api-rows-search"),
    path(
        ROWS + "delete-preview/", rows.RowsDeletePreview.as_view(), name="api-rows-delete-preview"
    ),
    path(ROWS + "delete/", rows.RowsDelete.as_view(), name="api-rows-delete"),
    path(ROWS + "upload/", rows.RowsUpload.as_view(), name="api-rows-upload"),
    path(ROWS + "export.csv", rows.RowsExport.as_view(), name="api-rows-export"),
    path(ROWS + "blob/", rows.RowFile.as_view(), name="api-row-file"),
]
