"""`serve.py`: Streamlit's static bundles gzipped once per process when the app is served alone."""

from __future__ import annotations

import asyncio
import gzip

import pytest


@pytest.fixture
def StaticGzip(serve):
    return serve.StaticGzip


BUNDLE = b"function f(){return 42}\n" * 400


def _app(calls: list[str], body: bytes = BUNDLE, kind: bytes = b"application/javascript"):
    async def app(scope, receive, send):
        calls.append(scope["path"])
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:100], "more_body": True})
        await send({"type": "http.response.body", "body": body[100:]})

    return app


def _get(middleware, path: str, accept: bytes = b"gzip, deflate, br"):
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"accept-encoding", accept)]}
    asyncio.run(middleware(scope, None, send))
    headers = dict(sent[0]["headers"])
    return headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_bundle_is_gzipped_once_then_served_from_memory(StaticGzip):
    calls: list[str] = []
    middleware = StaticGzip(_app(calls))
    for _ in range(3):
        headers, body = _get(middleware, "/static/js/index.abc.js")
        assert headers[b"content-encoding"] == b"gzip"
        assert int(headers[b"content-length"]) == len(body) < len(BUNDLE) / 10
        assert gzip.decompress(body) == BUNDLE
    assert calls == ["/static/js/index.abc.js"]


def test_left_alone_without_gzip_outside_static_or_when_small(StaticGzip):
    calls: list[str] = []
    headers, body = _get(StaticGzip(_app(calls)), "/static/js/index.abc.js", accept=b"identity")
    assert b"content-encoding" not in headers and body == BUNDLE
    headers, body = _get(StaticGzip(_app(calls)), "/_stcore/health")
    assert b"content-encoding" not in headers and body == BUNDLE
    headers, body = _get(StaticGzip(_app(calls, body=b"x" * 100)), "/static/js/tiny.js")
    assert b"content-encoding" not in headers and body == b"x" * 100
    headers, body = _get(StaticGzip(_app(calls, kind=b"image/png")), "/static/media/logo.png")
    assert b"content-encoding" not in headers and body == BUNDLE
