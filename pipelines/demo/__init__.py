"""A small example lab pipeline (subjects, sessions, recordings, spike rates) for trying Joinery.

``pipelines.demo.pipeline`` declares the tables on a deferred schema; ``activate`` binds them to a
database and ``load_sample_data`` fills the manual tables, after which
``joinery populate pipelines.demo.pipeline:SpikeRate`` computes everything downstream.
"""
