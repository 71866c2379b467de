"""The OpenAPI schema is generated without warnings: no two components share a name (the web
app's TypeScript types are generated from it, and a clash silently gives one endpoint the other's
shape)."""

from pathlib import Path

from django.core.management import call_command


def test_the_schema_generates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "openapi.yaml"))

    text = (tmp_path / "openapi.yaml").read_text()
    assert "HeadingAttributeOut:" in text and "DiagramAttributeOut:" in text
