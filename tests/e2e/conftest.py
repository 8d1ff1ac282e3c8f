"""A real `streamlit run app.py` on a free localhost port, and a headless Chromium with no network."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.load_test import CHROMIUM_ARGS, free_port
from indicateurs.cli.servir import streamlit_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(built_store):
    """Base URL of the app served from the built test store; stopped after the module."""
    port = free_port()
    env = {
        **os.environ,
        "INDICATEURS_DATA": str(built_store),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        streamlit_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not answer /_stcore/health within 90 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that may only talk to localhost: any other request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    pg = context.new_page()
    pg.blocked = []

    def route(r):
        host = r.request.url.split("/")[2] if "://" in r.request.url else ""
        if host.split(":")[0] in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield pg
    context.close()
