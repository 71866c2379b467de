"""``/api/pipelines/``: pipelines, their members and their audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from pipelines.api.access import pipeline_for, request_token
from pipelines.api.errors import error_response
from pipelines.api.serializers import (
    AuditOut,
    MemberIn,
    MemberOut,
    PipelineChange,
    PipelineIn,
    PipelineOut,
)
from pipelines.selectors import audit_list, member_list, pipeline_list
from pipelines.services.errors import NotFound
from pipelines.services.pipelines import (
    membership_remove,
    membership_set,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
)


class PipelineList(APIView):
    @extend_schema(responses=PipelineOut(many=True))
    def get(self, request: Request) -> Response:
        visible = pipeline_list(user=request.user, token=request_token(request))
        roles = {pipeline.pk: role for pipeline, role in visible}
        pipelines = [pipeline for pipeline, _ in visible]
        return Response(PipelineOut(pipelines, many=True, context={"roles": roles}).data)

    @extend_schema(request=PipelineIn, responses={201: PipelineOut})
    def post(self, request: Request) -> Response:
        if request_token(request) is not None:
            return session_only()
        data = _valid(PipelineIn, request.data)
        pipeline = pipeline_create(actor=request.user, **data)
        body = PipelineOut(pipeline, context={"roles": {pipeline.pk: Role.OWNER}}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PipelineDetail(APIView):
    @extend_schema(responses=PipelineOut)
    def get(self, request: Request, slug: str) -> Response:
        pipeline, role = pipeline_for(request, slug)
        return Response(PipelineOut(pipeline, context={"roles": {pipeline.pk: role}}).data)

    @extend_schema(request=PipelineChange, responses=PipelineOut)
    def patch(self, request: Request, slug: str) -> Response:
        pipeline, role = pipeline_for(request, slug, Role.MAINTAINER)
        data = _valid(PipelineChange, request.data)
        pipeline = pipeline_update(actor=request.user, pipeline=pipeline, **data)
        return Response(PipelineOut(pipeline, context={"roles": {pipeline.pk: role}}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OWNER)
        pipeline_delete(actor=request.user, pipeline=pipeline)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberList(APIView):
    @extend_schema(responses=MemberOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug)
        return Response(MemberOut(member_list(pipeline=pipeline), many=True).data)


class MemberDetail(APIView):
    @extend_schema(request=MemberIn, responses=MemberOut)
    def put(self, request: Request, slug: str, username: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OWNER)
        data = _valid(MemberIn, request.data)
        membership = membership_set(
            actor=request.user, pipeline=pipeline, user=_user(username), role=data["role"]
        )
        return Response(MemberOut(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, username: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.OWNER)
        membership_remove(actor=request.user, pipeline=pipeline, user=_user(username))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditList(APIView):
    @extend_schema(responses=AuditOut(many=True))
    def get(self, request: Request, slug: str) -> Response:
        pipeline, _ = pipeline_for(request, slug, Role.MAINTAINER)
        events = audit_list(pipeline=pipeline)
        action = request.query_params.get("action")
        if action:
            events = events.filter(action=action)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditOut(page, many=True).data)


def _valid(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No user {username!r}.", details={"username": username})
    return user


def session_only() -> Response:
    return error_response(
        "session_required",
        "Sign in to do this: an API token cannot create pipelines or tokens.",
        {},
        status.HTTP_403_FORBIDDEN,
    )
