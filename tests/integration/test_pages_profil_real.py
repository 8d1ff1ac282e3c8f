"""AppTest of the Profil page on the built base, with a territory preset in the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app_pages" / "profil.py"

pytestmark = pytest.mark.integration


def _page(territoire) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["territoire"] = territoire
    return at.run()


def test_epci_profile_shows_figures_ladder_and_downloads(base):
    at = _page(("epci", "200041523"))
    assert not at.exception
    nom = base.wide("epci").at["200041523", "nom"]
    assert nom in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Population"].replace("\u202f", " ").endswith("hab.")
    assert "/ 10" in metrics["IFN"].replace("\u00a0", " ")
    captions = " ".join(c.value for c in at.caption)
    assert "La MedNum" in captions and "édition 2023" in captions
    assert at.selectbox(key="profil_indicateur").value == "ifn"
    assert "nan" not in " ".join(m.value for m in at.metric).lower().split()


def test_changing_the_ladder_indicator(base):
    at = _page(("epci", "200041523"))
    at.selectbox(key="profil_indicateur").set_value("taux_pauvrete").run()
    assert not at.exception
    assert any("Filosofi 2019" in c.value for c in at.caption)


def test_unknown_code_gives_a_french_warning(base):
    at = _page(("epci", "20004152"))
    assert not at.exception
    assert at.warning and "inconnu" in at.warning[0].value


def test_without_territory_shows_france_and_a_hint(base):
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception
    assert "France" in at.title[0].value
    assert at.info and "Choisissez" in at.info[0].value


def test_changing_the_map_indicator(base):
    at = _page(("epci", "200041523"))
    at.selectbox(key="profil_carte_indicateur").set_value("taux_chomage").run()
    assert not at.exception
    map_caption = next(c.value for c in at.caption if "Niveau : commune" in c.value)
    assert "RP 2018" in map_caption  # the IFN map said "édition 2023"


def test_profile_inside_the_app_follows_the_shared_territory(app):
    app.session_state["territoire"] = ("epci", "200067106")
    at = app.switch_page("app_pages/profil.py").run()
    assert not at.exception
    assert "CA du Pays Basque" in at.title[0].value
    assert at.selectbox(key="territoire_choisi").value == "epci:200067106"


def test_profile_map_of_grand_auch_fills_its_frame(base):
    """#17 item 7: the map was fitted to the EPCI padded by its own size (~170 px wide in 1280 px)."""
    import json
    import re

    from ui import data

    at = _page(("epci", "200066926"))
    assert not at.exception
    script = next(
        json.loads(el.proto.json_args)["script"]
        for el in at.get("component_instance")
        if "L.map(" in str(el.proto)
    )
    (south, west), (north, east) = json.loads(re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", script, re.S)[-1])
    xmin, ymin, xmax, ymax = data.scope_geometry("epci", "200066926").total_bounds
    assert west <= xmin and east >= xmax and south <= ymin and north >= ymax
    assert (east - west) < (xmax - xmin) * 1.1  # was three times the EPCI's width
