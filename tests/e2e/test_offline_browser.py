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


async def _visit(url: str, path: str, artifacts: Path) -> dict:
    from playwright.async_api import async_playwright

    blocked: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")

        async def route(r) -> None:
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
        await page.wait_for_timeout(1500)  # late requests: fonts, favicon, tiles
        result = {
            "blocked": blocked,
            "drawn": drawn,
            "legacy": await legacy_pages(page),
            "dialog": await dismiss_dialog(page),
            "exceptions": await page.locator('[data-testid="stException"]').count(),
            "title": await page.title(),
        }
        await page.screenshot(path=str(artifacts / f"hors-connexion{path.replace('/', '-')}.png"))
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
