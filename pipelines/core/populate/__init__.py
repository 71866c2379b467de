"""Computation: ``populate()``, ``make()`` and the job queue that lets many workers cooperate."""
