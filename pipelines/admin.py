"""Admin pages for the portal metadata; registrations arrive with the models (pipelines.models)."""
