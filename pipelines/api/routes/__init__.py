"""URL modules of the per-pipeline endpoints, one per area (each included by ``api/urls.py``)."""
