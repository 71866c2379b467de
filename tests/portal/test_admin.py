"""The admin site and the custom user model it manages."""

import importlib

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import migrations
from django.test import Client
from pytest_django import Settings

from accounts.models import User


def test_user_model_is_the_accounts_user(settings: Settings) -> None:
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model() is User


def test_first_accounts_migration_creates_the_user_table() -> None:
    initial = importlib.import_module("accounts.migrations.0001_initial").Migration

    created = [op.name for op in initial.operations if isinstance(op, migrations.CreateModel)]
    assert initial.initial is True
    assert created == ["User"]


def test_user_model_is_registered_with_the_user_admin() -> None:
    assert isinstance(admin.site.get_model_admin(User), UserAdmin)


def test_admin_login_page_renders(client: Client) -> None:
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.django_db
def test_admin_index_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_index_opens_for_a_superuser(admin_client: Client) -> None:
    page = _get_ok(admin_client, "/admin/")

    assert 'href="/admin/accounts/user/"' in page


def test_superuser_sees_users_in_the_admin_user_list(
    admin_client: Client, admin_user: User
) -> None:
    page = _get_ok(admin_client, "/admin/accounts/user/")

    assert admin_user.username in page


def _get_ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_admin_issues_a_token_once_and_revokes_it(admin_client: Client) -> None:
    from accounts.models import ApiToken
    from accounts.tokens import token_authenticate

    owner = User.objects.create_user(username="tech", password="x")
    response = admin_client.post(
        "/admin/accounts/apitoken/add/",
        {"user": owner.pk, "name": "rig", "max_role": "entry"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m for m in shown if "jnr_" in m).split("is ")[1].split(" ")[0]
    token = ApiToken.objects.get()
    assert token_authenticate(raw) == token and token.max_role == "entry"
    admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_audit_log_is_read_only_in_the_admin(admin_client: Client) -> None:
    from pipelines.models import AuditEvent

    event = AuditEvent.objects.create(action="rows.insert", target="lab.subject")
    assert admin_client.get("/admin/pipelines/auditevent/?q=rows").status_code == 200
    assert admin_client.get("/admin/pipelines/auditevent/add/").status_code == 403
    admin_client.post(f"/admin/pipelines/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
