"""`serve.py`: the first view written into a page's HTML, never at the cost of the page itself."""

from __future__ import annotations

import asyncio
import gzip
import threading

PAGE = b'<!DOCTYPE html>\n<html lang="en"><head></head><body><div id="root"></div></body></html>' * 1


def _streamlit_like(seen: list[dict]):
    """The app's answer: its index.html, gzipped when asked (as Streamlit does), with validators."""

    async def app(scope, receive, send):
        seen.append(scope)
        headers = dict(scope["headers"])
        body, kind = PAGE, b"text/html; charset=utf-8"
        if scope["path"].startswith("/static/"):
            body, kind = b"console.log(1)", b"application/javascript"
        out = [(b"content-type", kind), (b"etag", b'"abc"'), (b"last-modified", b"Sun, 29 Nov 2026")]
        if b"gzip" in headers.get(b"accept-encoding", b""):
            body = gzip.compress(body)
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})

    return app


def _request(middleware, path: str, query: bytes = b"", headers: tuple = ()) -> list[dict]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": list(headers)}
    asyncio.run(middleware(scope, None, send))
    return sent


def _get(middleware, path: str, query: bytes = b"", accept: bytes = b"text/html,*/*"):
    """As a browser asks: HTML, gzip, and the validator of a copy it already has."""
    sent = _request(
        middleware,
        path,
        query,
        ((b"accept", accept), (b"accept-encoding", b"gzip"), (b"if-none-match", b'"abc"')),
    )
    headers = sent[0]["headers"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    if (b"content-encoding", b"gzip") in headers:
        body = gzip.decompress(body)
    return dict(headers), body


def test_view_is_written_before_the_app_root_and_the_page_compressed(serve):
    seen: list[dict] = []
    calls: list[tuple[str, str]] = []

    def build(path, query):
        calls.append((path, query))
        return "<div id='atlas-premiere-vue'>carte</div>"

    middleware = serve.FirstView(_streamlit_like(seen), build=build)
    headers, body = _get(middleware, "/carte", b"territoire=epci:200066926")
    assert calls == [("/carte", "territoire=epci:200066926")]
    assert b"<div id='atlas-premiere-vue'>carte</div><div id=\"root\">" in body
    assert b'<html lang="fr">' in body  # the page is French
    assert headers[b"content-encoding"] == b"gzip"
    assert b"etag" not in headers and b"last-modified" not in headers  # the body is no longer the app's
    # the app was asked for its plain page, not a 304 nor its own gzip
    inner = dict(seen[0]["headers"])
    assert b"accept-encoding" not in inner and b"if-none-match" not in inner


def test_page_without_gzip_is_sent_plain_with_its_length(serve):
    middleware = serve.FirstView(_streamlit_like([]), build=lambda p, q: "<p>vue</p>")
    raw = _request(middleware, "/profil", headers=((b"accept", b"text/html"),))
    headers = dict(raw[0]["headers"])
    assert b"content-encoding" not in headers
    assert int(headers[b"content-length"]) == len(raw[1]["body"]) and b"<p>vue</p>" in raw[1]["body"]


def test_files_and_the_protocol_pass_untouched(serve):
    calls: list = []
    middleware = serve.FirstView(_streamlit_like([]), build=lambda p, q: calls.append(p))
    headers, body = _get(middleware, "/static/js/index.js", accept=b"*/*")
    assert body == b"console.log(1)" and headers[b"etag"] == b'"abc"'
    _get(middleware, "/component/streamlit_folium.st_folium/index.html")  # the map's frame asks for HTML
    assert calls == []


def test_a_slow_view_does_not_hold_the_page_and_is_ready_for_the_next_visitor(serve):
    release = threading.Event()

    def build(path, query):
        release.wait(5)
        return "<p>vue lente</p>"

    middleware = serve.FirstView(_streamlit_like([]), build=build, wait=0.05)
    _, body = _get(middleware, "/carte")
    assert b"vue lente" not in body and b'<div id="root">' in body  # the page came without it
    release.set()
    _, body = _get(middleware, "/carte")
    assert b"vue lente" in body


def test_a_failing_view_is_logged_and_the_page_still_comes(serve, caplog):
    def build(path, query):
        raise RuntimeError("base illisible")

    middleware = serve.FirstView(_streamlit_like([]), build=build)
    _, body = _get(middleware, "/carte")
    assert body == PAGE.replace(b'lang="en"', b'lang="fr"')
    assert "première vue impossible pour /carte" in caplog.text
