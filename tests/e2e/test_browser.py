"""The Carte page in headless Chromium with no network: title, a drawn Leaflet map, legend change."""

import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

_DRAWN = "() => [...document.querySelectorAll('.leaflet-container path')].filter(p => (p.getAttribute('d') || '').length > 20).length"


def wait_for_map(page, timeout: float = 90, minimum: int = 20):
    """The st_folium iframe once Leaflet has drawn at least `minimum` visible SVG paths."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate(_DRAWN) >= minimum:
                        return frame
                except Exception:  # the frame is being replaced by a new map
                    pass
        page.wait_for_timeout(200)
    raise AssertionError("no Leaflet map drawn")


def test_carte_draws_offline_and_legend_follows_the_indicator(server, page, artifacts):
    page.goto(f"{server}/?territoire=epci:200041523", wait_until="domcontentloaded")
    frame = wait_for_map(page)
    assert page.title() == "Carte · Atlas de l'inclusion numérique"
    assert frame.evaluate("() => typeof L") == "object"  # Leaflet came from /app/static, not a CDN
    legend = page.locator(".atlas-legend").first
    assert "Indice de fragilité numérique" in legend.inner_text()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "carte_ifn.png"))

    page.get_by_label("Indicateur").click()
    page.keyboard.type("Part des 65")  # the list is long and virtualised: filter it as a person would
    page.get_by_role("option", name="Compétences · Part des 65 ans et plus").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.atlas-legend')].some(e => e.innerText.includes('Part des 65 ans'))",
        timeout=60_000,
    )
    wait_for_map(page)
    assert "Part des 65 ans et plus" in page.locator(".atlas-legend").first.inner_text()
    assert "indicateur=part_65_plus" in page.url
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "carte_65_plus.png"))

    page.goto(f"{server}/carte?territoire=epci:200041523&projecteur=1", wait_until="domcontentloaded")
    wait_for_map(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "carte_projecteur.png"))
    assert page.get_by_role("button", name="Quitter le mode projecteur").is_visible()
    assert "/carte" in page.url
    assert not page.get_by_text("Page not found").is_visible()
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not [u for u in page.blocked if "/static/" in u], page.blocked


def test_france_map_by_epci(server, page, artifacts):
    page.goto(f"{server}/carte?territoire=france:FR&indicateur=part_65_plus", wait_until="domcontentloaded")
    frame = wait_for_map(page, minimum=1000)  # the 1,255 EPCI, metropolitan France in view
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-container path').length") >= 1255
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "carte_france.png"))


def test_sources_page_renders(server, page, artifacts):
    page.goto(f"{server}/sources", wait_until="domcontentloaded")
    page.get_by_role("heading", name="La méthode des scores").wait_for(timeout=60_000)
    assert page.title() == "Sources et méthode · Atlas de l'inclusion numérique"
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts / "sources.png"))
