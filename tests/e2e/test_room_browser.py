"""What the room sees (issue #17, items 4, 5, 8): the projector board on a 1920×1080 wall, the France
map with its overseas insets, the Ressources legend on a 390×844 phone. Screenshots in artifacts/."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import wait_for_map

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PAYS_BASQUE = "200067106"
GRAND_AUCH = "200066926"


@pytest.fixture
def sized_page(browser):
    """A page of the given viewport that may only talk to localhost."""
    contexts = []

    def make(width: int, height: int, **kwargs):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **kwargs)
        context.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.split("/")[2].split(":")[0] in ("127.0.0.1", "localhost")
                or r.request.url.startswith(("data:", "blob:"))
                else r.abort()
            ),
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def workshop(built_store):
    """A workshop of the Pays Basque with seven enjeux, in the store the server reads."""
    from indicateurs.atelier import open_store

    store = open_store()
    atelier = store.create_atelier("epci", PAYS_BASQUE, "Feuille de route : Pays Basque")
    texts = [
        ("acces", "Zones blanches en montagne : Larrau à 25 km du premier lieu"),
        ("accompagnement", "Trop peu de médiateurs pour les plus de 65 ans"),
        ("autre", "Les ménages modestes renoncent à l'ordinateur"),
        ("acces", "Débit insuffisant dans l'intérieur"),
        ("accompagnement", "France Services saturée le lundi"),
        ("competences", "Démarches en ligne : les jeunes aussi ont besoin d'aide"),
        ("gouvernance", "Prêt de tablettes à la médiathèque"),
    ]
    for categorie, texte in texts:
        store.add_enjeu(atelier.id, texte, categorie)
    yield atelier
    store.dispose()


def test_projector_board_fills_the_wall(server, sized_page, workshop, artifacts):
    page = sized_page(1920, 1080)
    page.goto(
        f"{server}/atelier?territoire=epci:{PAYS_BASQUE}&atelier={workshop.id}&vue=projecteur&projecteur=1",
        wait_until="domcontentloaded",
    )
    page.get_by_text("Scannez pour ajouter vos enjeux").wait_for(timeout=90_000)
    page.wait_for_timeout(2500)
    page.screenshot(path=str(artifacts / "atelier_projecteur_1920.png"))
    qr = page.locator("[data-testid='stImage'] img").first.bounding_box()
    assert qr["width"] >= 300  # was 160 px on a 1920-px wall
    assert qr["y"] < 300  # at the top, not under the controls
    assert not page.get_by_role("heading", name="Atelier : feuille de route territoriale").is_visible()
    assert not page.locator("[data-testid='stRadio']").is_visible()  # the view radio is folded away
    cards = page.get_by_role("heading", level=3).filter(has_text="Zones blanches en montagne")
    assert cards.first.bounding_box()["y"] < 1080  # the enjeux are on the wall
    visible = page.evaluate(
        "() => [...document.querySelectorAll('h3')].filter(h => {"
        " const r = h.getBoundingClientRect(); return r.top > 0 && r.bottom < 1080; }).length"
    )
    assert visible >= 6  # a grid of enjeux, not one or two


def test_france_map_shows_the_overseas_departements_as_insets(server, sized_page, artifacts):
    page = sized_page(1600, 1000)
    page.goto(f"{server}/carte?territoire=france:FR&indicateur=ifn", wait_until="domcontentloaded")
    frame = wait_for_map(page, minimum=1000)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts / "carte_france_drom.png"))
    left = frame.evaluate(
        "() => { const w = document.querySelector('.leaflet-container').clientWidth;"
        " return [...document.querySelectorAll('.leaflet-container path')].filter(p => {"
        " const r = p.getBoundingClientRect(); return r.width > 0 && r.right < w * 0.3; }).length; }"
    )
    assert left >= 20  # the EPCI of the five DROM and their frames, west of metropolitan France


def test_ressources_legend_leaves_the_territory_visible_on_a_phone(server, sized_page, artifacts):
    page = sized_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(f"{server}/ressources?territoire=epci:{GRAND_AUCH}", wait_until="domcontentloaded")
    frame = wait_for_map(page, minimum=10)
    page.locator("iframe[title*='streamlit_folium']").first.scroll_into_view_if_needed()
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts / "ressources_telephone.png"))
    sizes = frame.evaluate(
        "() => { const m = document.querySelector('.leaflet-container').getBoundingClientRect();"
        " const l = document.querySelector('.ressources-legend').getBoundingClientRect();"
        " return {map: m.width * m.height, legend: l.width * l.height,"
        " open: document.querySelector('.ressources-legend details').open}; }"
    )
    assert sizes["open"] is False  # folded on a phone: one tap opens it
    assert sizes["legend"] < 0.1 * sizes["map"]
    frame.locator(".ressources-legend summary").click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "ressources_telephone_legende.png"))
    assert "dans le territoire" in frame.locator(".ressources-legend").inner_text()


def test_carte_on_a_projector_uses_the_whole_width(server, sized_page, artifacts):
    """#17 item 7: the map took 55 % of a 1920-px wall; now the full width, legend inside it."""
    page = sized_page(1920, 1080)
    page.goto(f"{server}/carte?territoire=epci:{PAYS_BASQUE}&projecteur=1", wait_until="domcontentloaded")
    frame = wait_for_map(page)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts / "carte_projecteur_1920.png"))
    box = page.locator("iframe[title*='streamlit_folium']").first.bounding_box()
    assert box["width"] >= 0.8 * 1920
    assert frame.locator(".atlas-map-legend").first.is_visible()
