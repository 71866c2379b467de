"""The web app's built files, served by whitenoise from inside Django's async request path.

whitenoise's middleware is synchronous only: in an ASGI deployment Django would wrap it, and every
API request would pay two extra thread switches to pass through it. This subclass declares itself
async-capable: a request outside STATIC_URL goes straight on, and only a static file is looked up
and served in a worker thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase
from whitenoise.middleware import WhiteNoiseMiddleware


class AppFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(get_response, *args, **kwargs)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._serve_async(request)
        return super().__call__(request)

    async def _serve_async(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(self.static_prefix):
            response = await sync_to_async(self._static_response, thread_sensitive=False)(request)
            if response is not None:
                return response
        next_response: Awaitable[HttpResponseBase] = self.get_response(request)
        return await next_response

    def _static_response(self, request: HttpRequest) -> HttpResponseBase | None:
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        return None if static_file is None else self.serve(static_file, request)
