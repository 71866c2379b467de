"""``/api/tokens/``: a signed-in user's API tokens (issued, listed, revoked).

Managed from a browser session only: a token cannot mint or revoke tokens, so a leaked token
cannot widen its own access.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.tokens import token_issue, token_revoke
from pipelines.api.access import request_token
from pipelines.api.pipelines import session_only
from pipelines.selectors import pipeline_list
from pipelines.services.audit import audit_record
from pipelines.services.errors import Invalid, NotFound


class TokenOut(serializers.ModelSerializer[ApiToken]):
    pipelines: serializers.RelatedField[Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = ApiToken
        fields = [
            "id", "name", "prefix", "max_role", "pipelines", "created_at", "expires_at",
            "last_used_at", "revoked_at",
        ]  # fmt: skip


class TokenIn(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=100)
    max_role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    pipelines = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list,
        help_text="Slugs of the pipelines the token may act on; empty: all of yours.",
    )  # fmt: skip
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class TokenIssued(TokenOut):
    token = serializers.CharField(help_text="The token itself: shown this once, never again.")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "token"]


class TokenList(APIView):
    @extend_schema(responses=TokenOut(many=True))
    def get(self, request: Request) -> Response:
        if request_token(request) is not None:
            return session_only()
        tokens = ApiToken.objects.filter(user=_user(request)).prefetch_related("pipelines")
        return Response(TokenOut(tokens, many=True).data)

    @extend_schema(request=TokenIn, responses={201: TokenIssued})
    def post(self, request: Request) -> Response:
        if request_token(request) is not None:
            return session_only()
        serializer = TokenIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mine = {p.slug: p for p, _ in pipeline_list(user=request.user)}
        unknown = [slug for slug in data["pipelines"] if slug not in mine]
        if unknown:
            raise Invalid(
                "A token can only be scoped to pipelines you are a member of.",
                details={"pipelines": unknown},
            )
        days = data.get("expires_in_days")
        token, raw = token_issue(
            user=_user(request),
            name=data["name"],
            max_role=data["max_role"],
            pipelines=[mine[slug] for slug in data["pipelines"]],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        audit_record(actor=request.user, action="token.issue", target=token.prefix)
        body = {**TokenOut(token).data, "token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetail(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        if request_token(request) is not None:
            return session_only()
        token = ApiToken.objects.filter(user=_user(request), pk=token_id).first()
        if token is None:
            raise NotFound(f"No token {token_id}.")
        token_revoke(token=token)
        audit_record(actor=request.user, action="token.revoke", target=token.prefix)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _user(request: Request) -> User:
    """The signed-in user (the default permission class has turned anonymous callers away)."""
    return cast(User, request.user)
