"""AppTest of the Carte page through app.py on the synthetic base: territory and indicator by widget key."""

from indicateurs.reference.registry import get_indicator
from tests.synthetic import EPCI_A, EPCI_B


def _legend(at) -> str:
    return " ".join(el.proto.body for el in at.get("html") if "atlas-legend" in el.proto.body)


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_default_view_is_france_by_epci_with_ifn(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Carte"
    legend = _legend(at)
    assert "Indice de fragilité numérique (IFN, 5 indicateurs) (score sur 10)" in legend
    assert "10\u00a0/\u00a010" in legend  # IFN fixed classes by default for a score
    assert "Niveau : EPCI" in _captions(at) and get_indicator("ifn").citation in _captions(at)
    table = at.dataframe[0].value
    assert len(table) == 2
    assert table["Rang"].iloc[0] == 1


def test_choose_an_epci_then_an_indicator(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    assert not at.exception
    assert f"CA du Pays Ajaccien (EPCI, {EPCI_A})" in _captions(at)
    scope = at.selectbox(key=f"portee:epci:{EPCI_A}")
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
    assert at.selectbox(key="portee:departement:2A").value == "departement:2A"
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
    assert "Taux de chômage" in _legend(at)
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
    assert at.selectbox(key="portee:commune:2A004").value.startswith("epci:")


def test_neighbours_of_an_epci_share_a_border(built_store):
    from ui import data

    assert data.neighbour_codes("epci", EPCI_A) == [EPCI_B]
    assert set(data.neighbour_codes("commune", "2A004")) == {"2A006", "2A017", "2A032"}
