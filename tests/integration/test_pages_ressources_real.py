"""AppTest of the Ressources page with a preset territory (needs the base built from the mirror)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.safe import md

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "ressources.py")
EPCI = ("epci", "200041523")


def _page(built_store, territory) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["territoire"] = territory
    return at.run()


def test_epci_page(built_store):
    at = _page(built_store, EPCI)
    assert not at.exception
    assert "CC de la Haute Saintonge" in at.subheader[0].value
    headers = [h.value for h in at.header]
    assert headers[:4] == [
        "Carte des lieux",
        "Offre comparée",
        "Accès : distance au lieu le plus proche",
        "Besoin et offre",
    ]
    comparison = at.dataframe[0].value
    assert comparison.iloc[0, 0] == 7  # France Services in the EPCI
    assert list(comparison.columns)[-1].startswith("France")
    per_commune = at.dataframe[1].value
    assert per_commune["Espaces France Services"].sum() == 7
    access = at.dataframe[2].value
    assert len(access) == 129 and access["Lieu le plus proche (km)"].max() < 10
    assert [m.label for m in at.metric] == [
        "Habitants à plus de 10 km de tout lieu",
        "Habitants à plus de 20 km de tout lieu",
    ]
    assert any("Sources : ANCT" in c.value for c in at.caption)


def test_measure_per_10000(built_store):
    at = _page(built_store, EPCI)
    at.segmented_control(key="ressources_mesure").set_value("pour_10000").run()
    assert not at.exception
    population = 69164
    assert at.dataframe[0].value.iloc[0, 0] == pytest.approx(7 / population * 10_000)


def test_add_a_place_with_the_form(built_store):
    name = f"Café <numérique> {uuid.uuid4().hex[:8]}"  # the store persists between test runs
    at = _page(built_store, EPCI)
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input("17197")  # Jonzac, in the EPCI
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    assert [s.value for s in at.success] == [f"« {md(name)} » enregistré."]  # escaped (ui.safe.md)
    local = next(t.value for t in at.table if "statut" in t.value.columns)  # a static table since h18
    row = local.loc[name]
    assert row["statut"] == "ajouté localement" and row["code_commune"] == "17197"

    at.text_input(key="ressources_form_nom").input(name)  # the same place again is not duplicated
    at.text_input(key="ressources_form_code").input("17197")
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()
    assert not at.success and "déjà enregistré" in at.info[0].value
    local = next(t.value for t in at.table if "statut" in t.value.columns)
    assert (local.index == name).sum() == 1


def test_bad_form_gets_a_french_message(built_store):
    at = _page(built_store, EPCI)
    at.text_input(key="ressources_form_nom").input("Lieu")
    at.text_input(key="ressources_form_code").input("17999")  # well-formed, not a commune
    at.button[-1].click().run()
    assert not at.exception
    assert "code commune « 17999 » inconnu" in at.error[0].value


def test_region_has_no_map_but_comparisons(built_store):
    at = _page(built_store, ("region", "75"))
    assert not at.exception
    assert "Choisissez un EPCI" in at.info[0].value
    assert len(at.dataframe) >= 1


def test_composite_index_as_the_need(built_store):
    at = _page(built_store, EPCI)
    at.selectbox(key="ressources_besoin").set_value("indice_composite").run()
    assert not at.exception
    assert at.selectbox(key="ressources_besoin").value == "indice_composite"
    assert any("Calcul Atlas de l'inclusion numérique" in c.value for c in at.caption)
