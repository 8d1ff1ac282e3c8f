"""Offline operation: once the base is built, no page of the app opens a network connection.

Sockets are guarded for the whole AppTest run: any connection (or name lookup) to a host other than
the loopback is refused and recorded, so that a library swallowing the error cannot hide it.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import app_test

from tests.integration.offline_guard import block_network

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', APP.read_text(encoding="utf-8"))


@pytest.fixture()
def no_network(monkeypatch) -> list[str]:
    """Refuse every non-loopback connection and name lookup; the list of attempts."""
    return block_network(monkeypatch)


@pytest.fixture()
def app(built_store, monkeypatch):
    return app_test.AppTest.from_file(str(APP), default_timeout=120)


def test_guard_blocks_and_records_a_real_request(no_network):
    """The guard itself works: a download attempt fails and is recorded (so the tests below can fail)."""
    import requests

    with pytest.raises(requests.ConnectionError):
        requests.get("https://www.data.gouv.fr/", timeout=5)
    assert any("data.gouv.fr" in a for a in no_network)


def test_guard_lets_loopback_through(no_network):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert no_network == []


def test_app_lists_every_page():
    assert len(PAGES) >= 6, PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_network(app, no_network, page):
    at = app.run()  # the default page first, as a participant opening the link would
    at = at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} n'affiche pas de titre"
    assert no_network == [], f"{page} a tenté une connexion réseau : {no_network}"


def test_build_from_the_store_needs_no_network(built_store, no_network):
    """Rebuilding from the files already in the store (no mirror, no web) works offline."""
    import os

    from indicateurs.build import build_base

    mirror = os.environ.pop("INDICATEURS_MIROIR", None)
    try:
        report = build_base()
    finally:
        if mirror is not None:
            os.environ["INDICATEURS_MIROIR"] = mirror
    assert report["rows_per_level"]["epci"] == 1255
    assert no_network == []
