"""``/api/auth/``: sign in and out with a session (the browser), and who am I.

Sign-in attempts are throttled per client address (``login`` rate), so passwords cannot be
guessed at speed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from pipelines.api.errors import error_response


class Credentials(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class Me(serializers.Serializer[Any]):
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


@method_decorator(ensure_csrf_cookie, name="get")
class MeView(APIView):
    """The signed-in user; also hands the browser its CSRF cookie."""

    @extend_schema(responses=Me)
    def get(self, request: Request) -> Response:
        return Response(Me(request.user).data)


class LoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=Credentials, responses=Me)
    def post(self, request: Request) -> Response:
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:
            return error_response(
                "authentication_failed", "Wrong username or password.", {},
                status.HTTP_401_UNAUTHORIZED,
            )  # fmt: skip
        login(request._request, user)
        return Response(Me(user).data)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
