"""The Ressources page in a real browser with no network: offline map of places, CSV upload.

Uses the `server`, `browser` and `page` fixtures of tests/e2e/conftest.py (any request leaving
localhost is aborted and recorded in `page.blocked`).
"""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]  # the workshop store persists between runs: fresh names each time
CSV = (
    "nom;type;adresse;code_commune;latitude;longitude\n"
    f"Médiathèque de Jonzac {RUN};lieu_mediation;Place du Château;17197;;\n"
    "Lieu sans type;;;17197;;\n"
    f"Permanence en mairie {RUN};conseiller_numerique;;;45,4460;-0,4340\n"
).encode("cp1252")


def _open(page, server):
    # not "networkidle": a loaded CI machine may never give Streamlit 500 ms without a request
    page.goto(f"{server}/ressources?territoire=epci:200041523", wait_until="domcontentloaded")
    page.get_by_text("Carte des lieux").wait_for(timeout=120_000)


MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"


def _map_errors(page) -> list[str]:
    """Collect uncaught errors and console errors (resource loads aside: `page.blocked` covers them)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    return errors


def _assert_map_drawn(page, errors: list[str]) -> None:
    iframe = page.locator(MAP_IFRAME).first
    frame = page.frame_locator(MAP_IFRAME).first
    markers = frame.locator(".leaflet-marker-pane .awesome-marker")
    markers.first.wait_for(timeout=60_000)
    frame.locator(".leaflet-overlay-pane path").nth(10).wait_for(timeout=60_000)
    page.wait_for_timeout(2_000)  # let the last scripts of the iframe run (errors come late)
    box = iframe.bounding_box()
    assert box is not None and box["height"] > 200, box
    assert frame.locator(".leaflet-container path").count() > 10  # communes and zone outlines
    assert markers.count() > 30
    assert frame.locator("text=Lieux d'accompagnement").count() == 1  # the places part of the legend
    # one foldable legend (#17 item 8): places, zones blanches and the need colours inside it
    assert frame.locator(".ressources-legend").count() == 1
    assert frame.locator(".ressources-legend .atlas-legend").count() == 1  # the need legend
    assert errors == []


def test_map_draws_places_offline(page, server, artifacts):
    errors = _map_errors(page)
    _open(page, server)
    _assert_map_drawn(page, errors)
    page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "ressources-carte.png"), full_page=False)
    # Nothing of the map is fetched outside localhost (the navigation's Material icons font is not ours).
    assert [u for u in page.blocked if "fonts.gstatic.com" not in u] == []


def test_map_draws_again_in_a_new_session(browser, server):
    """A second visit renders the map again: it was blank when a cached folium map was re-rendered."""
    for _visit in range(2):
        context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
        try:
            pg = context.new_page()
            errors = _map_errors(pg)
            _open(pg, server)
            _assert_map_drawn(pg, errors)
        finally:
            context.close()


def test_upload_lists_bad_rows_then_stores_the_good_ones(page, server, tmp_path):
    _open(page, server)
    path = tmp_path / "lieux.csv"
    path.write_bytes(CSV)
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_text("1 ligne(s) refusée(s)").wait_for(timeout=60_000)
    assert page.get_by_text("2 lieu(x) valide(s) dans le fichier.").count() == 1
    page.get_by_role("button", name="Enregistrer les lieux valides").click()
    page.get_by_text(re.compile(r"2 lieu\(x\) enregistré\(s\)")).wait_for(timeout=60_000)
    # The stored places are listed (the grid itself is drawn on a canvas: check the sentence above it).
    page.get_by_text(re.compile(r"\d+ lieu\(x\) ajouté\(s\) localement pour ce territoire")).wait_for(
        timeout=60_000
    )
