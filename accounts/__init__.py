"""Joinery's users, their roles per pipeline and their API tokens."""
