"""`streamlit run serve.py`: the same app (app.py), its JavaScript sent compressed when served alone.

Streamlit 1.67 sends `/static/` uncompressed on purpose (no setting changes it): a first visit of
/carte moves about 4.7 MB, mostly JavaScript. Its bundles are content-addressed and immutable, so
each one is gzipped once per process and kept in memory (about a quarter of the size), then served
to every browser that accepts gzip. Behind nginx (`python -m indicateurs servir`) nginx compresses
and `streamlit run app.py` is enough.
"""

from __future__ import annotations

import gzip
import threading

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
        start: dict = {}
        body = bytearray()

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capture)
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


async def _send(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = st.App("app.py", middleware=[Middleware(HideMetrics), Middleware(StaticGzip)])
