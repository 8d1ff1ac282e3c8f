"""AppTest of the Ressources page on the synthetic base, with a preset territory."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic import EPCI_A
from ui.safe import as_shown, md

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "ressources.py")
EPCI = ("epci", EPCI_A)


def _page(built_store, territory) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["territoire"] = territory
    return at.run()


def test_epci_page(built_store):
    at = _page(built_store, EPCI)
    assert not at.exception
    assert "CA du Pays Ajaccien" in at.subheader[0].value
    headers = [h.value for h in at.header]
    assert headers[:4] == [
        "Carte des lieux",
        "Offre comparée",
        "Accès : distance au lieu le plus proche",
        "Besoin et offre",
    ]
    comparison = at.dataframe[0].value
    assert comparison.iloc[0, 0] == 1  # France Services in the EPCI (Ajaccio)
    assert list(comparison.columns)[-1].startswith("France")
    per_commune = at.dataframe[1].value
    assert per_commune["Espaces France Services"].sum() == 1
    access = at.dataframe[2].value
    assert len(access) == 4 and access["Lieu le plus proche (km)"].max() < 15
    assert [m.label for m in at.metric] == [
        "Habitants à plus de 10 km de tout lieu",
        "Habitants à plus de 20 km de tout lieu",
    ]
    assert any("Sources : ANCT" in c.value for c in at.caption)


def test_measure_per_10000(built_store):
    at = _page(built_store, EPCI)
    at.segmented_control(key="ressources_mesure").set_value("pour_10000").run()
    assert not at.exception
    population = 80_000
    assert at.dataframe[0].value.iloc[0, 0] == pytest.approx(1 / population * 10_000)


def test_add_a_place_with_the_form(built_store):
    name = f"Café <numérique> {uuid.uuid4().hex[:8]}"  # the store persists between test runs
    at = _page(built_store, EPCI)
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input("2A006")  # Alata, in the EPCI
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    assert [s.value for s in at.success] == [f"« {md(name)} » enregistré."]  # shown as typed
    local = next(t.value for t in at.table if "statut" in t.value.columns)
    row = local.loc[name]
    assert row["statut"] == "ajouté localement" and row["code_commune"] == "2A006"

    at.text_input(key="ressources_form_nom").input(name)  # the same place again is not duplicated
    at.text_input(key="ressources_form_code").input("2A006")
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()
    assert not at.success and "déjà enregistré" in at.info[0].value
    local = next(t.value for t in at.table if "statut" in t.value.columns)
    assert (local.index == name).sum() == 1


def test_bad_form_gets_a_french_message(built_store):
    at = _page(built_store, EPCI)
    at.text_input(key="ressources_form_nom").input("Lieu")
    at.text_input(key="ressources_form_code").input("2A999")  # well-formed, not a commune
    at.button[-1].click().run()
    assert not at.exception
    assert "code commune « 2A999 » inconnu" in at.error[0].value


def test_region_has_no_map_but_comparisons(built_store):
    at = _page(built_store, ("region", "94"))
    assert not at.exception
    assert "Choisissez un EPCI" in at.info[0].value
    assert len(at.dataframe) >= 1


def test_composite_index_as_the_need(built_store):
    at = _page(built_store, EPCI)
    at.selectbox(key="ressources_besoin").set_value("indice_composite").run()
    assert not at.exception
    assert at.selectbox(key="ressources_besoin").value == "indice_composite"
    assert any("Calcul Atlas de l'inclusion numérique" in c.value for c in at.caption)


def test_a_place_typed_without_a_type_is_refused_not_made_a_france_services(built_store):
    """#17 item 8: the type selector has no default, so a forgotten type is asked for."""
    at = _page(built_store, EPCI)
    assert at.selectbox(key="ressources_form_type").value is None
    at.text_input(key="ressources_form_nom").input("Médiathèque sans type")
    at.text_input(key="ressources_form_code").input("2A006")
    at.button[-1].click().run()
    assert not at.exception and not at.success
    assert "le type de lieu est vide" in at.error[0].value


def test_the_partial_lieux_de_mediation_layer_is_said_under_the_map(built_store):
    at = _page(built_store, EPCI)
    warnings = " ".join(as_shown(w.value) for w in at.warning)
    assert "Lieux de médiation : extrait partiel de janvier 2023" in warnings
