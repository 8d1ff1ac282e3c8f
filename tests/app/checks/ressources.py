"""The Ressources page with a preset territory: offer, access, the form to add a place."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.vega_spec import drawn_charts
from ui.safe import md

PAGE = str(Path(__file__).resolve().parents[3] / "app_pages" / "ressources.py")


def page(territory: tuple[str, str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["territoire"] = territory
    return at.run()


def epci_page(
    epci: str, *, nom: str, france_services: int, communes_reached: int, farthest_km: float
) -> None:
    """`france_services`: the Espaces France Services in the EPCI; `communes_reached`: the rows of the
    access table; `farthest_km`: a bound on the distance to the nearest place."""
    at = page(("epci", epci))
    assert not at.exception
    assert nom in at.subheader[0].value
    headers = [h.value for h in at.header]
    assert headers[:4] == [
        "Carte des lieux",
        "Offre comparée",
        "Accès : distance au lieu le plus proche",
        "Besoin et offre",
    ]
    comparison = at.dataframe[0].value
    assert comparison.iloc[0, 0] == france_services  # France Services in the EPCI
    assert list(comparison.columns)[-1].startswith("France")
    per_commune = at.dataframe[1].value
    assert per_commune["Espaces France Services"].sum() == france_services
    access = at.dataframe[2].value
    assert len(access) == communes_reached and access["Lieu le plus proche (km)"].max() < farthest_km
    assert [m.label for m in at.metric] == [
        "Habitants à plus de 10 km de tout lieu",
        "Habitants à plus de 20 km de tout lieu",
    ]
    assert any("Sources : ANCT" in c.value for c in at.caption)
    [(spec, frames)] = drawn_charts(at)  # the need/supply scatter, in Vega-Lite
    assert epci in set(frames["nuage"]["code"]) and frames["nuage"]["aire"].between(64, 1296).all()
    chosen = [layer for layer in spec["layer"] if layer.get("transform")]
    assert chosen[0]["transform"] == [{"filter": {"field": "code", "equal": epci}}]
    dots = spec["layer"][0]["encoding"]
    assert "plus fragile" in " ".join(dots["x"]["title"])
    assert dots["y"]["title"] == "Lieux d'accompagnement pour 10 000 habitants"


def measure_per_10000(epci: str, *, france_services: int, population: int) -> None:
    at = page(("epci", epci))
    at.segmented_control(key="ressources_mesure").set_value("pour_10000").run()
    assert not at.exception
    assert at.dataframe[0].value.iloc[0, 0] == pytest.approx(france_services / population * 10_000)


def add_a_place_with_the_form(epci: str, commune: str) -> None:
    """`commune`: a commune of the EPCI."""
    name = f"Café <numérique> {uuid.uuid4().hex[:8]}"  # the store persists between test runs
    at = page(("epci", epci))
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input(commune)
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    # shown as typed, escaped (ui.safe.md)
    assert [s.value for s in at.success] == [f"« {md(name)} » enregistré."]
    local = next(t.value for t in at.table if "statut" in t.value.columns)  # a static table since h18
    row = local.loc[name]
    assert row["statut"] == "ajouté localement" and row["code_commune"] == commune

    at.text_input(key="ressources_form_nom").input(name)  # the same place again is not duplicated
    at.text_input(key="ressources_form_code").input(commune)
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")
    at.button[-1].click().run()
    assert not at.success and "déjà enregistré" in at.info[0].value
    local = next(t.value for t in at.table if "statut" in t.value.columns)
    assert (local.index == name).sum() == 1


def bad_form_gets_a_french_message(epci: str, not_a_commune: str) -> None:
    """`not_a_commune`: a well-formed code that is no commune."""
    at = page(("epci", epci))
    at.text_input(key="ressources_form_nom").input("Lieu")
    at.text_input(key="ressources_form_code").input(not_a_commune)
    at.button[-1].click().run()
    assert not at.exception
    assert f"code commune « {not_a_commune} » inconnu" in at.error[0].value


def region_has_no_map_but_comparisons(region: str) -> None:
    at = page(("region", region))
    assert not at.exception
    assert "Choisissez un EPCI" in at.info[0].value
    assert len(at.dataframe) >= 1


def composite_index_as_the_need(epci: str) -> None:
    at = page(("epci", epci))
    at.selectbox(key="ressources_besoin").set_value("indice_composite").run()
    assert not at.exception
    assert at.selectbox(key="ressources_besoin").value == "indice_composite"
    assert any("Calcul Atlas de l'inclusion numérique" in c.value for c in at.caption)
