"""AppTest helpers for the page checks on the base built from the real mirror, and the local server
that stands in for the producers in the builds without the mirror."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import app_test

from indicateurs.sources import fetch as fetch_mod


@pytest.fixture(scope="module", autouse=True)
def _fresh_streamlit_caches():
    """The UI caches the base per process: a module must not read another test store's base."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app(built_store):
    """A fresh AppTest of app.py on the test store built from the mirror (default timeout fits a cold start)."""
    return app_test.AppTest.from_file("../../app.py", default_timeout=120)


@pytest.fixture
def producer_server(monkeypatch, tmp_path):
    """A local HTTP server standing in for the producers: GET serves `files[path] = bytes` (404
    otherwise; a path ending in "/" is an API answering JSON), HEAD says whether the file exists,
    `hits` counts the GETs per path. No mirror, an empty store, fast retries. Each build test's
    `producers` fixture fills `files` and points its catalogue at `url`."""
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "store"))
    monkeypatch.setattr(fetch_mod, "BACKOFF", 0.01)
    files: dict[str, bytes] = {}
    hits: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_HEAD(self):
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            hits[self.path] += 1
            body = files.get(self.path)
            if body is None:
                status, ctype, body = 404, "text/plain", b"Not Found"
            else:
                status = 200
                ctype = "application/json" if self.path.endswith("/") else "application/octet-stream"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{httpd.server_port}", files=files, hits=hits)
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
