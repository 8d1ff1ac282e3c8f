"""The Carte page through app.py: territory and indicator chosen by widget key."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from indicateurs.reference.registry import get_indicator
from tests.app.checks.shown import captions, fit_bounds, legend, map_script


def default_view_is_france_by_epci_with_ifn_in_quantiles(app: AppTest, *, n_epci: int) -> None:
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Carte"
    shown = legend(at)
    assert "Indice de fragilité numérique (IFN, 5 indicateurs) (score sur 10)" in shown
    # Quantiles by default (fixed IFN classes made France one red, #17 item 7), fixed classes one click away
    assert "(de 1 à 1,5)" not in shown and "quantiles (effectifs égaux)" in captions(at)
    assert at.radio(key="classement").value == "quantiles"
    assert any("IFN" in option for option in at.radio(key="classement").options)
    assert "Niveau : EPCI" in captions(at) and get_indicator("ifn").citation in captions(at)
    table = at.dataframe[0].value
    assert len(table) == n_epci
    assert table["Rang"].iloc[0] == 1


def choose_an_epci_then_an_indicator(
    app: AppTest, *, epci: str, label: str, region: str, rows_in_region: range
) -> None:
    """`label` is the EPCI's caption, `rows_in_region` the possible numbers of EPCI of its région."""
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{epci}").run()
    assert not at.exception
    assert label in captions(at)
    scope = at.selectbox(key="portee")
    assert scope.value == f"region:{region}"  # the EPCI's région, by EPCI
    assert len(at.dataframe[0].value) in rows_in_region

    at.toggle(key="voisins").set_value(True).run()
    assert not at.exception
    at.selectbox(key="indicateur").set_value("part_65_plus").run()
    assert not at.exception
    shown = legend(at)
    assert "Part des 65 ans et plus (parmi les 15 ans ou plus) (%)" in shown
    assert "\u00a0%" in shown and "RP 2017" in shown
    assert f"Source : {get_indicator('part_65_plus').citation}" in captions(at)
    table = at.dataframe[0].value
    columns = " ".join(table.columns)
    assert "65 ans et plus" in columns and "(%)" in columns
    assert "65 ans et plus (parmi les 15 ans ou plus) (%)" in columns
    assert {"Couverture", "Statut"} <= set(table.columns)
    assert table.iloc[:, 2].between(0, 100).all()
    assert (
        at.query_params["indicateur"] == ["part_65_plus"] or at.query_params["indicateur"] == "part_65_plus"
    )


def commune_map_of_a_departement(app: AppTest, *, departement: str, communes: range) -> None:
    """`communes`: the possible numbers of communes of the département."""
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"departement:{departement}").run()
    assert not at.exception
    assert at.selectbox(key="portee").value == f"departement:{departement}"
    assert "Niveau : commune" in captions(at)
    assert len(at.dataframe[0].value) in communes


def unknown_codes_in_the_url_warn_in_french_and_fall_back(app: AppTest) -> None:
    app.query_params["territoire"] = "epci:999999999"
    app.query_params["indicateur"] = "pas_un_indicateur"
    at = app.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Territoire inconnu" in warnings and "Indicateur inconnu" in warnings
    assert "France (métropole et DROM)" in captions(at)
    assert "Indice de fragilité numérique" in legend(at)


def url_reopens_the_same_view_and_projector_mode(app: AppTest, *, epci: str, nom: str) -> None:
    app.query_params["territoire"] = f"epci:{epci}"
    app.query_params["indicateur"] = "taux_chomage"
    app.query_params["projecteur"] = "1"
    at = app.run()
    assert not at.exception
    assert nom in captions(at)
    # On a projector the legend is inside the full-width map, enlarged (#17 item 7)
    assert "Taux de ch" in map_script(at) and "font-size: 20px" in map_script(at)
    assert "class='atlas-legend'" not in legend(at)  # no legend column beside the map
    assert at.button(key="quitter_projecteur").label == "Quitter le mode projecteur"
    assert any("font-size: 22px" in el.proto.body for el in at.get("html"))


def search_ignores_accents_and_case_and_picks_the_first_match(
    app: AppTest, searches: list[tuple[str, str, str | None]]
) -> None:
    """`searches`: (what is typed, the territory key it must pick, its caption or None); the last one
    is a commune, whose map is its EPCI's."""
    at = app.run()
    for typed, key, caption in searches:
        at.text_input(key="recherche_territoire").input(typed).run()
        assert not at.exception
        assert at.selectbox(key="territoire_choisi").value == key
        if caption is not None:
            assert caption in captions(at)
    assert at.selectbox(key="portee").value.startswith("epci:")


def region_map_is_fitted_to_the_whole_region(app: AppTest, *, epci: str, region: str) -> None:
    """#17 item 7: the label says 'Région …, par EPCI': every EPCI of the région is in the frame, and
    the frame is the région's (not the chosen EPCI padded by its own size)."""
    from ui import data

    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{epci}").run()
    assert not at.exception
    assert at.selectbox(key="portee").value == f"region:{region}"
    (south, west), (north, east) = fit_bounds(at)
    xmin, ymin, xmax, ymax = data.scope_geometry("region", region).total_bounds
    assert west <= xmin and east >= xmax and south <= ymin and north >= ymax
    assert (east - west) <= (xmax - xmin) * 1.1 and (north - south) < (ymax - ymin) * 1.1


def france_map_is_fitted_to_metropolitan_france_and_the_overseas_insets(app: AppTest) -> AppTest:
    from indicateurs.render.insets import FRANCE_BOUNDS

    at = app.run()
    assert not at.exception
    assert fit_bounds(at) == FRANCE_BOUNDS
    return at
