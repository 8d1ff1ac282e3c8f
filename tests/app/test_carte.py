"""AppTest of the Carte page through app.py on the synthetic base: territory and indicator by widget key."""

from indicateurs.reference.registry import get_indicator
from tests.synthetic import EPCI_A, EPCI_B


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
    assert len(table) == 2
    assert table["Rang"].iloc[0] == 1


def test_choose_an_epci_then_an_indicator(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    assert not at.exception
    assert f"CA du Pays Ajaccien (EPCI, {EPCI_A})" in _captions(at)
    scope = at.selectbox(key="portee")
    assert scope.value == "region:94"  # Corse by EPCI
    assert len(at.dataframe[0].value) == 2

    at.toggle(key="voisins").set_value(True).run()
    assert not at.exception
    at.selectbox(key="indicateur").set_value("part_65_plus").run()
    assert not at.exception
    legend = _legend(at)
    assert "Part des 65 ans et plus (parmi les 15 ans ou plus) (%)" in legend
    assert "\u00a0%" in legend and "RP 2017" in legend
    assert f"Source : {get_indicator('part_65_plus').citation}" in _captions(at)
    table = at.dataframe[0].value
    assert "65 ans et plus (parmi les 15 ans ou plus) (%)" in " ".join(table.columns)
    assert {"Couverture", "Statut"} <= set(table.columns)
    assert table.iloc[:, 2].between(0, 100).all()
    assert (
        at.query_params["indicateur"] == ["part_65_plus"] or at.query_params["indicateur"] == "part_65_plus"
    )


def test_commune_map_of_a_departement(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value("departement:2A").run()
    assert not at.exception
    assert at.selectbox(key="portee").value == "departement:2A"
    assert "Niveau : commune" in _captions(at)
    assert len(at.dataframe[0].value) == 8  # the communes of the synthetic Corse-du-Sud


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
    app.query_params["territoire"] = f"epci:{EPCI_A}"
    app.query_params["indicateur"] = "taux_chomage"
    app.query_params["projecteur"] = "1"
    at = app.run()
    assert not at.exception
    assert "CA du Pays Ajaccien" in _captions(at)
    # On a projector the legend is inside the full-width map, enlarged (#17 item 7)
    assert "Taux de ch" in _map_script(at) and "font-size: 20px" in _map_script(at)
    assert "class='atlas-legend'" not in _legend(at)  # no legend column beside the map
    assert at.button(key="quitter_projecteur").label == "Quitter le mode projecteur"
    assert any("font-size: 22px" in el.proto.body for el in at.get("html"))


def test_search_ignores_accents_and_case_and_picks_the_first_match(app):
    at = app.run()
    at.text_input(key="recherche_territoire").input("SARTENE").run()
    assert not at.exception
    assert at.selectbox(key="territoire_choisi").value == "commune:2A272"
    assert "Sartène (commune, 2A272)" in _captions(at)
    at.text_input(key="recherche_territoire").input("sartenais valinco").run()
    assert at.selectbox(key="territoire_choisi").value == f"epci:{EPCI_B}"
    at.text_input(key="recherche_territoire").input("2a004").run()
    assert at.selectbox(key="territoire_choisi").value == "commune:2A004"
    assert "Ajaccio (commune, 2A004)" in _captions(at)
    assert at.selectbox(key="portee").value.startswith("epci:")


def test_neighbours_of_an_epci_share_a_border(built_store):
    from ui import data

    assert data.neighbour_codes("epci", EPCI_A) == [EPCI_B]
    assert set(data.neighbour_codes("commune", "2A004")) == {"2A006", "2A017", "2A032"}


def test_region_map_is_fitted_to_the_whole_region_not_a_corner(app):
    """#17 item 7: the label says 'Région Corse, par EPCI': every EPCI of the région is in the frame,
    and the frame is the région's (not the chosen EPCI padded by its own size)."""
    from ui import cache

    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    assert not at.exception
    (south, west), (north, east) = _fit_bounds(at)
    xmin, ymin, xmax, ymax = cache.geometry("epci").total_bounds  # the two EPCI of the synthetic Corse
    assert west <= xmin and east >= xmax and south <= ymin and north >= ymax
    assert (east - west) <= (xmax - xmin) * 1.1 and (north - south) <= (ymax - ymin) * 1.1


def test_france_map_is_fitted_to_metropolitan_france_and_the_overseas_insets(app):
    from indicateurs.render.insets import FRANCE_BOUNDS

    at = app.run()
    assert _fit_bounds(at) == FRANCE_BOUNDS


def test_csv_of_the_table_is_made_on_the_first_download_only(app):
    """The download is deferred (issue #16: 0.1 s per indicator that most views never need): the page
    sends no file, the click asks the server, which builds the CSV once and keeps it."""
    from ui import carte

    at = app.run()
    assert not at.exception
    button = at.get("download_button")[0].proto
    assert button.deferred_file_id and not button.url
    view = carte.build_view("france", "epci", "ifn", "quantiles", ("epci", EPCI_A))
    first = view.csv()
    assert first.startswith("\ufeff".encode()) and b"Code;Nom;" in first
    assert b"Source;Niveau" in first.splitlines()[0]
    assert view.csv() is first
