"""Offline in a real browser: once the map is drawn, not one request has left 127.0.0.1.

A workshop room often has no usable Internet: map tiles, scripts, fonts and icons must all come
from the app itself. Every request to another host is aborted and recorded.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.load_test import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    dismiss_dialog,
    legacy_pages,
    serve_app,
    wait_for_map,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def app_url(built_store):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium absent ({CHROMIUM})")
    with serve_app(
        built_store, env={"INDICATEURS_MIROIR": os.environ.get("INDICATEURS_MIROIR", "")}
    ) as server:
        yield server.url


async def _visit(url: str, path: str, artifacts: Path, *, charted: bool = False) -> dict:
    from playwright.async_api import async_playwright

    blocked: list[str] = []
    requested: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")

        async def route(r) -> None:
            requested.append(r.request.url)
            host = urlsplit(r.request.url).hostname or ""
            if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                await r.continue_()
            else:
                blocked.append(r.request.url)
                await r.abort()

        await context.route("**/*", route)
        page = await context.new_page()
        await page.goto(f"{url}{path}", wait_until="domcontentloaded")
        await wait_idle(page, 120, started=5)
        drawn = await wait_for_map(page, 120) if path.startswith("/carte") else None
        await wait_idle(page, 60, started=0.5)
        charts = page.locator(".vega-embed svg, .vega-embed canvas")
        if charted:
            await charts.first.wait_for(timeout=60_000)
        await page.wait_for_timeout(1500)  # late requests: fonts, favicon, tiles
        result = {
            "charts": await charts.count(),
            "plotly": [u for u in requested if "/PlotlyChart." in u],
            "blocked": blocked,
            "drawn": drawn,
            "legacy": await legacy_pages(page),
            "dialog": await dismiss_dialog(page),
            "exceptions": await page.locator('[data-testid="stException"]').count(),
            "title": await page.title(),
        }
        name = path.split("?")[0].replace("/", "-")
        await page.screenshot(path=str(artifacts / f"hors-connexion{name}.png"))
        await browser.close()
    return result


def test_carte_draws_the_map_without_any_external_request(app_url, artifacts):
    result = asyncio.run(_visit(app_url, "/carte", artifacts))
    assert result["drawn"], "la carte n'a pas été dessinée"
    assert result["blocked"] == [], f"requêtes hors 127.0.0.1 : {result['blocked']}"
    assert result["exceptions"] == 0


@pytest.mark.parametrize("path", ["/carte", "/profil"])
def test_direct_links_open_the_page_within_the_app(app_url, artifacts, path):
    """A link or QR code to /carte or /profil opens the app's page (menu, selector), not a bare file."""
    result = asyncio.run(_visit(app_url, path, artifacts))
    assert not result["legacy"], "le menu liste les fichiers de pages/ (mode multipage hérité)"
    assert result["dialog"] is None, f"boîte de dialogue inattendue : {result['dialog']}"
    assert result["exceptions"] == 0
    assert result["blocked"] == [], f"requêtes hors 127.0.0.1 : {result['blocked']}"


@pytest.mark.parametrize(
    "path",
    [
        "/profil?territoire=epci:200066926",
        "/ressources?territoire=epci:200066926",
        "/comparer?selection=epci:200066926,epci:200067106,epci:243200391",
    ],
)
def test_charts_are_drawn_offline_with_vega_and_no_plotly_bundle(app_url, artifacts, path):
    """The ladder, the need/supply scatter and the Comparer's charts are Vega-Lite, drawn by the Vega
    that Streamlit bundles: no request leaves 127.0.0.1 and the 4.7 MB Plotly bundle is never fetched
    (issue #16)."""
    result = asyncio.run(_visit(app_url, path, artifacts, charted=True))
    assert result["charts"] >= 1, "aucun graphique dessiné"
    assert result["plotly"] == []
    assert result["blocked"] == [], f"requêtes hors 127.0.0.1 : {result['blocked']}"
    assert result["exceptions"] == 0
