"""A cache of rendered pages: a page depends only on its URL and the build being served.

Pages are rendered from the graph, which does not change under a running store; a new build is a new
store directory, and the cache key carries it, so a swapped-in build is never answered from old pages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipkg.api.deps import PAGE_MEDIA
from ipkg.graph.sparql import negotiate

PAGE_PREFIXES = ("/api/", "/documents", "/document/", "/section/", "/measure/", "/agencies", "/agency/", "/instruments",
                 "/instrument/", "/ip-types", "/ip-type/", "/search", "/lineage/", "/compare", "/network/")
PAGE_OFFERS = tuple(PAGE_MEDIA.values())


class PageCache:
    """ASGI middleware keeping the 200 answers of GET page and JSON API routes."""

    def __init__(self, app: ASGIApp, build_key: Callable[[Scope], str], size: int = 2048) -> None:
        self.app = app
        self.build_key = build_key
        self.size = size
        self.pages: OrderedDict[tuple[str, str, bytes, str | None], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or not (
                path == "/" or path.startswith(PAGE_PREFIXES)):
            await self.app(scope, receive, send)
            return
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        # the representation the page will choose (page_media), not the raw header: few keys per URL
        key = (self.build_key(scope), path, scope.get("query_string", b""), negotiate(accept, PAGE_OFFERS))
        if (hit := self.pages.get(key)) is not None:
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start is not None and start["status"] == 200:
                    self.pages[key] = (list(start["headers"]), b"".join(chunks))
                    while len(self.pages) > self.size:
                        self.pages.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)
