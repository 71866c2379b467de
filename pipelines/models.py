"""Portal metadata about pipelines (definitions, revisions, runs, events), kept in the portal DB.

Empty for now: the models arrive with the portal-metadata work. The lab's own tables never get a
Django model; they live in the data DB and belong to the engine (pipelines.core).
"""
