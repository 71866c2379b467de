"""``manage.py load_demo``: the demo pipeline in the portal, and the login to try it with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pipelines.demo.portal import MODULE_ENTRY, demo_load


class Command(BaseCommand):
    help = "Load the demo pipeline (tables, sample data, a pipeline and its owner) and print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", default="demo", help="data-database schema (default demo)")
        parser.add_argument("--username", default="demo", help="the demo user (default demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        login = demo_load(schema=options["schema"], username=options["username"])
        entry = MODULE_ENTRY.format(schema=options["schema"])
        self.stdout.write(
            f"Demo pipeline loaded: schema {options['schema']!r} with {login.subjects} subjects "
            f"and {login.sessions} sessions; its make code is {entry}.\n"
            f"Sign in at http://127.0.0.1:8000/ as   {login.username} / {login.password}"
        )
