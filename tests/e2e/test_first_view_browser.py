"""The first view as a person sees it: the map is on screen before the app, then gives way to it."""

import time
import urllib.request

import pytest

from tests.e2e.test_browser import wait_for_map

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

_VIEW_PATHS = "() => document.querySelectorAll('#atlas-premiere-vue .apv-map svg path').length"
_LEAFLET = "() => [...document.querySelectorAll('iframe')].some(f => { try { return !!f.contentDocument.querySelector('.leaflet-overlay-pane path') } catch (e) { return false } })"


def _warm(url: str, timeout: float = 120) -> None:
    """Ask for the page until it comes with its first view: a cold server sends the page without it
    (the view is built in the background), as the first visitor of the day gets it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        request = urllib.request.Request(url, headers={"Accept": "text/html"})
        with urllib.request.urlopen(request, timeout=30) as r:
            if b"atlas-premiere-vue" in r.read():
                return
        time.sleep(0.5)
    raise AssertionError(f"pas de première vue pour {url}")


def _legend(page, scope: str) -> str:
    return page.locator(f"{scope} .atlas-legend").first.inner_text()


def test_carte_opens_on_its_map_then_the_interactive_map_takes_over(server, page, artifacts):
    _warm(f"{server}/carte?territoire=epci:200041523")
    page.goto(f"{server}/carte?territoire=epci:200041523", wait_until="commit")
    page.wait_for_function(_VIEW_PATHS, timeout=60_000)
    assert not page.evaluate(_LEAFLET)  # the map is on screen before the app has drawn anything
    assert page.locator("#atlas-premiere-vue svg").is_visible()
    first_legend = _legend(page, "#atlas-premiere-vue")
    assert "Indice de fragilité numérique" in first_legend and "Source : La MedNum" in first_legend
    page.screenshot(path=str(artifacts / "premiere_vue_carte.png"))

    wait_for_map(page)
    page.wait_for_function("() => !document.getElementById('atlas-premiere-vue')", timeout=10_000)
    # the page shows the legend the first view showed: same classes, counts, source and millésime
    assert _legend(page, "[data-testid='stMain']") == first_legend
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    page.screenshot(path=str(artifacts / "premiere_vue_remplacee.png"))


def test_profil_first_view_on_a_phone(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    try:
        _warm(f"{server}/profil?territoire=epci:200041523")
        page.goto(f"{server}/profil?territoire=epci:200041523", wait_until="commit")
        page.wait_for_function(_VIEW_PATHS, timeout=60_000)
        assert "Profil du territoire" in page.locator("#atlas-premiere-vue h1").inner_text()
        assert not page.locator("#atlas-premiere-vue .apv-side").is_visible()  # no sidebar on a phone
        svg = page.locator("#atlas-premiere-vue .apv-map svg").bounding_box()
        assert svg["width"] > 300  # the map takes the phone's width
        page.screenshot(path=str(artifacts / "premiere_vue_profil_telephone.png"), full_page=True)
    finally:
        context.close()


def test_scrolled_down_to_the_map_in_the_preview_you_find_the_interactive_map(server, page):
    _warm(f"{server}/profil?territoire=epci:200041523")
    page.goto(f"{server}/profil?territoire=epci:200041523", wait_until="commit")
    page.wait_for_function(_VIEW_PATHS, timeout=60_000)
    page.evaluate(
        "() => { const v = document.getElementById('atlas-premiere-vue');"
        " v.scrollTop = v.querySelector('.apv-map').offsetTop - 100; }"
    )
    page.wait_for_function("() => !document.getElementById('atlas-premiere-vue')", timeout=60_000)
    frame = page.locator('iframe[src*="streamlit_folium"]')
    page.wait_for_timeout(500)
    box = frame.bounding_box()
    assert box is not None and 0 <= box["y"] + box["height"] / 2 <= 1000  # in the 1000 px viewport
