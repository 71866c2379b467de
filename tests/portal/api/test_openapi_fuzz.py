# mypy: disable-error-code="misc, untyped-decorator, no-untyped-def"
"""The API against its own OpenAPI schema (schemathesis, bounded): generated requests, valid
and invalid, to every operation as a pipeline owner and as a viewer (whose writes are refused),
on both data backends. No 5xx, and every documented response matches its schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.models import Membership
from accounts.roles import Role
from accounts.tokens import token_issue
from tests.portal.conftest import make_pipeline, make_user

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
#: What must hold for every response; negative (schema-violating) requests are left to the
#: per-endpoint bad-input tests, which know which violations the API tolerates on purpose.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(params=[Role.OWNER, Role.VIEWER])
def member_token(request: pytest.FixtureRequest, db: None, data_schema: str) -> str:
    role = request.param
    pipeline = make_pipeline("lab", schemas=[data_schema])
    member = make_user(str(role))
    Membership.objects.create(user=member, pipeline=pipeline, role=role)
    _, raw = token_issue(user=member, name="fuzz", max_role=role)
    return raw


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("data_backend", ["sqlite", "mysql"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case: Any, member_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {member_token}"}, checks=CHECKS)
