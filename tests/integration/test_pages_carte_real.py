"""AppTest of the Carte page through app.py: territory and indicator chosen by widget key."""

import pytest

from indicateurs.reference.registry import get_indicator

pytestmark = pytest.mark.integration


def _legend(at) -> str:
    return " ".join(el.proto.body for el in at.get("html") if "atlas-legend" in el.proto.body)


def _map_script(at) -> str:
    """The folium map sent to st_folium (its Leaflet script), as text."""
    import json

    args = [
        json.loads(el.proto.json_args) for el in at.get("component_instance") if "L.map(" in str(el.proto)
    ]
    return " ".join(json.dumps(a, ensure_ascii=False) for a in args)


def _fit_bounds(at) -> list[list[float]]:
    import json
    import re

    script = json.loads(
        next(el.proto.json_args for el in at.get("component_instance") if "L.map(" in str(el.proto))
    )
    found = re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", script["script"], re.S)
    return json.loads(found[-1])


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_default_view_is_france_by_epci_with_ifn_in_quantiles(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Carte"
    legend = _legend(at)
    assert "Indice de fragilité numérique (IFN, 5 indicateurs) (score sur 10)" in legend
    # Quantiles by default (fixed IFN classes made France one red, #17 item 7), fixed classes one click away
    assert "(de 1 à 1,5)" not in legend and "quantiles (effectifs égaux)" in _captions(at)
    assert at.radio(key="classement").value == "quantiles"
    assert any("IFN" in option for option in at.radio(key="classement").options)
    assert "Niveau : EPCI" in _captions(at) and get_indicator("ifn").citation in _captions(at)
    table = at.dataframe[0].value
    assert len(table) == 1255
    assert table["Rang"].iloc[0] == 1


def test_choose_an_epci_then_an_indicator(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value("epci:200041523").run()
    assert not at.exception
    assert "CC de la Haute Saintonge (EPCI, 200041523)" in _captions(at)
    scope = at.selectbox(key="portee")
    assert scope.value == "region:75"  # Nouvelle-Aquitaine by EPCI
    assert 100 < len(at.dataframe[0].value) < 200

    at.toggle(key="voisins").set_value(True).run()
    assert not at.exception
    at.selectbox(key="indicateur").set_value("part_65_plus").run()
    assert not at.exception
    legend = _legend(at)
    assert "Part des 65 ans et plus (parmi les 15 ans ou plus) (%)" in legend
    assert "\u00a0%" in legend and "RP 2017" in legend
    assert f"Source : {get_indicator('part_65_plus').citation}" in _captions(at)
    table = at.dataframe[0].value
    assert "65 ans et plus" in " ".join(table.columns) and "(%)" in " ".join(table.columns)
    assert table.iloc[:, 2].between(0, 100).all()
    assert (
        at.query_params["indicateur"] == ["part_65_plus"] or at.query_params["indicateur"] == "part_65_plus"
    )


def test_commune_map_of_a_departement(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value("departement:79").run()
    assert not at.exception
    assert at.selectbox(key="portee").value == "departement:79"
    assert "Niveau : commune" in _captions(at)
    assert len(at.dataframe[0].value) > 200  # the communes of Deux-Sèvres


def test_unknown_codes_in_the_url_warn_in_french_and_fall_back(app):
    app.query_params["territoire"] = "epci:999999999"
    app.query_params["indicateur"] = "pas_un_indicateur"
    at = app.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Territoire inconnu" in warnings and "Indicateur inconnu" in warnings
    assert "France (métropole et DROM)" in _captions(at)
    assert "Indice de fragilité numérique" in _legend(at)


def test_url_reopens_the_same_view_and_projector_mode(app):
    app.query_params["territoire"] = "epci:200041523"
    app.query_params["indicateur"] = "taux_chomage"
    app.query_params["projecteur"] = "1"
    at = app.run()
    assert not at.exception
    assert "CC de la Haute Saintonge" in _captions(at)
    # On a projector the legend is inside the full-width map, enlarged (#17 item 7)
    assert "Taux de ch" in _map_script(at) and "font-size: 20px" in _map_script(at)
    assert "class='atlas-legend'" not in _legend(at)  # no legend column beside the map
    assert at.button(key="quitter_projecteur").label == "Quitter le mode projecteur"
    assert any("font-size: 22px" in el.proto.body for el in at.get("html"))


def test_search_ignores_accents_and_case_and_picks_the_first_match(app):
    at = app.run()
    at.text_input(key="recherche_territoire").input("HAUT VAL DE SEVRE").run()
    assert not at.exception
    assert at.selectbox(key="territoire_choisi").value == "epci:200041994"
    assert "CC Haut Val de Sèvre (EPCI, 200041994)" in _captions(at)
    at.text_input(key="recherche_territoire").input("79191").run()
    assert at.selectbox(key="territoire_choisi").value == "commune:79191"
    assert "Niort (commune, 79191)" in _captions(at)
    assert at.selectbox(key="portee").value.startswith("epci:")


def test_neighbours_of_an_epci_share_a_border(built_store):
    from ui import data

    near = data.neighbour_codes("epci", "200041523")
    assert 3 <= len(near) <= 15 and "200041523" not in near


def test_france_map_draws_the_overseas_departements_as_insets(app):
    """#17 item 4: Guadeloupe, Martinique, Guyane, La Réunion and Mayotte are in the frame."""
    from shapely.geometry import box

    from indicateurs.render.insets import DROM, FRANCE_BOUNDS
    from ui import cache, data

    at = app.run()
    assert not at.exception
    assert _fit_bounds(at) == FRANCE_BOUNDS
    drawn = data.scope_geometry("france", "FR")
    assert len(drawn) == 1255
    (south, west), (north, east) = FRANCE_BOUNDS
    xmin, ymin, xmax, ymax = drawn.total_bounds
    assert west <= xmin and xmax <= east and south <= ymin and ymax <= north
    t = cache.base().territories
    for inset in DROM:  # every EPCI of each overseas département is inside its inset
        codes = set(t.loc[(t["level"] == "commune") & (t["departement"] == inset.code), "epci"].dropna())
        assert codes, inset.nom
        shapes = drawn[drawn["code"].isin(codes)]
        assert len(shapes) == len(codes) and shapes.within(box(*inset.target).buffer(1e-6)).all(), inset.nom
    assert cache.geometry("epci").total_bounds[0] < -60  # distances still use the true geometries


def test_region_map_of_the_pays_basque_shows_the_whole_nouvelle_aquitaine(app):
    """#17 item 7: the label promises the whole région, not a corner around the EPCI."""
    from ui import data

    at = app.run()
    at.selectbox(key="territoire_choisi").set_value("epci:200067106").run()
    assert at.selectbox(key="portee").value == "region:75"
    (south, west), (north, east) = _fit_bounds(at)
    xmin, ymin, xmax, ymax = data.scope_geometry("region", "75").total_bounds
    assert west <= xmin and east >= xmax and south <= ymin and north >= ymax
    assert north - south < (ymax - ymin) * 1.1
