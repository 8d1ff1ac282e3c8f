"""`streamlit run serve.py`: the same app (app.py), its JavaScript sent compressed, its pages with a first view.

Streamlit 1.67 sends `/static/` uncompressed on purpose (no setting changes it): a first visit of
/carte moves about 4.7 MB, mostly JavaScript. Its bundles are content-addressed and immutable, so
each one is gzipped once per process and kept in memory (about a quarter of the size), then served
to every browser that accepts gzip. Behind nginx (`python -m indicateurs servir`) nginx compresses
and `streamlit run app.py` is enough.

The HTML of /carte and /profil carries the page's first view (`ui.first_view`: the map as SVG, its
legend, source and caption), drawn as soon as the page arrives, long before Streamlit's JavaScript
and the interactive map (issue #16).
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
from starlette.middleware import Middleware

_COMPRESSIBLE = (b"javascript", b"text/css", b"application/json", b"image/svg+xml", b"text/plain")
_MIN_SIZE = 1024


class StaticGzip:
    """ASGI middleware: gzip `/static/…` answers once, from a per-process cache keyed by path."""

    def __init__(self, app, max_entries: int = 400):
        self.app = app
        self.max_entries = max_entries
        self._cache: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or "/static/" not in scope.get("path", ""):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if b"gzip" not in headers.get(b"accept-encoding", b"") or b"range" in headers:
            await self.app(scope, receive, send)
            return
        cached = self._cache.get(scope["path"])
        if cached is not None:
            await _send(send, 200, cached[1], cached[0])
            return
        start, body = await _response(self.app, scope, receive)
        out_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        kinds = b" ".join(v for k, v in out_headers if k.lower() == b"content-type")
        compressible = (
            start.get("status") == 200
            and len(body) >= _MIN_SIZE
            and any(c in kinds for c in _COMPRESSIBLE)
            and not any(k.lower() == b"content-encoding" for k, _ in out_headers)
        )
        if not compressible:
            await _send(send, start.get("status", 500), out_headers, bytes(body))
            return
        packed = gzip.compress(bytes(body), compresslevel=6)
        out_headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        with self._lock:
            if len(self._cache) < self.max_entries:
                self._cache[scope["path"]] = (packed, out_headers)
        await _send(send, 200, out_headers, packed)


class HideMetrics:
    """ASGI middleware: `/_stcore/metrics` (sessions, cache sizes, function names; costly to compute)
    answers 404, as the nginx configuration of `servir` does (issue #18)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/").endswith("/_stcore/metrics"):
            await _send(send, 404, [(b"content-type", b"text/plain; charset=utf-8")], b"Not Found")
            return
        await self.app(scope, receive, send)


_REQUEST_DROP = (b"accept-encoding", b"if-none-match", b"if-modified-since", b"range")
_RESPONSE_DROP = (b"content-length", b"etag", b"last-modified", b"accept-ranges")


class FirstView:
    """ASGI middleware: the first view of a page (`ui.first_view.for_request`) written into its HTML.

    The view is built off the event loop from the app's caches; when it is not ready within `wait`
    seconds (a cold server, a territory never drawn) the page goes without it, and the build goes on
    so that the next visitor has it. The page's HTML is compressed when the browser accepts gzip.
    """

    _ROOT = b'<div id="root">'

    def __init__(
        self,
        app,
        build: Callable[[str, str], str | None] | None = None,
        wait: float = 0.4,
        warm: tuple[str, ...] = (),
    ):
        self.app = app
        self.build = build
        self.wait = wait
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="premiere-vue")
        for path in warm:  # built at start-up (the base is read then): ready for the first visitor
            self._pool.submit(self._build, path, "")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not self._is_page(scope):
            await self.app(scope, receive, send)
            return
        view = await self._view(scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"))
        # The app's page in full and uncompressed (Streamlit gzips its HTML itself, and answers 304 to
        # a browser that has it): written into, then packed here. Its validators no longer apply.
        plain = {
            **scope,
            "headers": [(k, v) for k, v in scope.get("headers") or [] if k not in _REQUEST_DROP],
        }
        start, body = await _response(self.app, plain, receive)
        out_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _RESPONSE_DROP]
        kinds = b" ".join(v for k, v in out_headers if k.lower() == b"content-type")
        if (
            start.get("status") != 200
            or b"text/html" not in kinds
            or any(k.lower() == b"content-encoding" for k, _ in out_headers)
        ):
            await _send(send, start.get("status", 500), out_headers, bytes(body))
            return
        page = bytes(body).replace(b'<html lang="en">', b'<html lang="fr">', 1)
        if view is not None and self._ROOT in page:
            page = page.replace(self._ROOT, view.encode() + self._ROOT, 1)
        headers = dict(scope.get("headers") or [])
        if b"gzip" in headers.get(b"accept-encoding", b""):
            # not in the view's pool, where a cold build may be running
            page = await asyncio.get_running_loop().run_in_executor(None, gzip.compress, page, 6)
            out_headers.append((b"content-encoding", b"gzip"))
            if not any(k.lower() == b"vary" for k, _ in out_headers):
                out_headers.append((b"vary", b"Accept-Encoding"))
        await _send(send, 200, out_headers, page)

    @staticmethod
    def _is_page(scope) -> bool:
        """A page opened by the browser (it asks for HTML), not a file nor the app's protocol."""
        path = scope.get("path", "")
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        return b"text/html" in accept and not any(
            p in path for p in ("/static/", "/_stcore/", "/component/", "/media/")
        )

    async def _view(self, path: str, query: str) -> str | None:
        future = asyncio.get_running_loop().run_in_executor(self._pool, self._build, path, query)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.wait)
        except TimeoutError:
            return None  # the build finishes in the background: the caches are warm for the next one

    def _build(self, path: str, query: str) -> str | None:
        try:
            if self.build is None:
                from ui.first_view import for_request

                self.build = for_request
            return self.build(path, query)
        except Exception:  # the first view is a bonus: the page always comes, with or without it
            logging.getLogger(__name__).exception("première vue impossible pour %s?%s", path, query)
            return None


async def _response(app, scope, receive) -> tuple[dict, bytearray]:
    """The app's whole answer to `scope`: its start message and its body."""
    start: dict = {}
    body = bytearray()

    async def capture(message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, capture)
    return start, body


async def _send(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = st.App(
    "app.py",
    middleware=[Middleware(HideMetrics), Middleware(StaticGzip), Middleware(FirstView, warm=("/carte",))],
)
