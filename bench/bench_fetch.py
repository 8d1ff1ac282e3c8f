"""Fetch layer timings: first copy from the mirror, the up-to-date store check, and the real
download path against a local HTTP server serving the mirror folder (all 20 sources)."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from bench.figures import Figure, timer


@contextmanager
def _env(**values: str | None) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def run() -> Iterator[Figure]:
    from indicateurs.config import mirror_dir
    from indicateurs.reference import catalogue
    from indicateurs.sources.fetch import fetch_all, store_manifest

    mirror = mirror_dir()
    if mirror is None:
        yield Figure("fetch: INDICATEURS_MIROIR absent, rien à mesurer", 0, "s")
        return
    n = len(catalogue.list_sources())
    with tempfile.TemporaryDirectory() as tmp, _env(INDICATEURS_DATA=f"{tmp}/a"):
        with timer() as t:
            fetch_all()
        megabytes = sum(e["size"] for e in store_manifest().values()) / 1e6
        yield Figure(
            f"fetch: copie du miroir, {n} sources, magasin vide", t(), "s", 20, f"{megabytes:.0f} Mo"
        )
        with timer() as t:
            fetch_all()
        yield Figure(f"fetch: magasin à jour, {n} sources (taille + sha256)", t(), "s", 1)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(mirror)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    sources = catalogue._load()
    saved = dict(sources)
    try:
        for key, source in saved.items():
            sources[key] = replace(source, url=f"http://127.0.0.1:{httpd.server_port}/{source.mirror_path}")
        with tempfile.TemporaryDirectory() as tmp, _env(INDICATEURS_DATA=f"{tmp}/b", INDICATEURS_MIROIR=None):
            with timer() as t:
                fetch_all()
            yield Figure(
                f"fetch: téléchargement HTTP local + contrôles, {n} sources",
                t(),
                "s",
                30,
                f"{megabytes:.0f} Mo",
            )
    finally:
        sources.clear()
        sources.update(saved)
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
