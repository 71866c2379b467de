"""Portal logic: every write and orchestration step, called by the API, tasks and the admin.

Functions are named ``<entity>_<verb>`` and take keyword-only arguments.
"""
