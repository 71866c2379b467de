"""Django's HTTP handler for ASGI, with a request's middleware and view run in one thread hop.

Django's own ASGI handler builds an asynchronous middleware chain. Our views and Django's
middleware are synchronous, so that chain sends each middleware's ``process_request`` and
``process_response`` and then the view to a worker thread one at a time: about sixteen trips
between the event loop and the thread for one API request, 2 to 3 ms of a page of rows that
otherwise costs about 2 ms. This handler builds the synchronous chain (as a WSGI server would
run it) and makes one trip for the whole of it; reading the body, sending the response,
streaming, client disconnects and the request signals stay Django's.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the request's thread, which holds its portal database connection
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
