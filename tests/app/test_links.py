"""A shared link reopens the same view (issue #17, item 10): every choice that changes what a page draws
is in the URL. Each test sets the widgets, reads `at.query_params`, opens a new AppTest with those
parameters only, and finds the same widget values."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.synthetic import EPCI_A, EPCI_B

APP = "../../app.py"


def _params(at) -> dict[str, str]:
    out = {}
    for key in at.query_params:
        value = at.query_params[key]
        out[key] = value[-1] if isinstance(value, list) else value
    return out


def _reopen(at, page: str) -> AppTest:
    fresh = AppTest.from_file(APP, default_timeout=120)
    fresh.query_params.update(_params(at))
    fresh = fresh.switch_page(page).run() if page != "app_pages/carte.py" else fresh.run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    return fresh


def test_carte_link_keeps_scope_classes_neighbours_and_indicator(app):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    at.selectbox(key="portee").set_value("departement:2A").run()
    at.selectbox(key="indicateur").set_value("part_65_plus").run()
    at.radio(key="classement").set_value("jenks").run()
    at.toggle(key="voisins").set_value(True).run()
    assert not at.exception
    params = _params(at)
    assert params["portee"] == "departement:2A" and params["classement"] == "jenks"
    assert params["voisins"] == "1" and params["indicateur"] == "part_65_plus"

    again = _reopen(at, "app_pages/carte.py")
    assert again.selectbox(key="territoire_choisi").value == f"epci:{EPCI_A}"
    assert again.selectbox(key="portee").value == "departement:2A"
    assert again.selectbox(key="indicateur").value == "part_65_plus"
    assert again.radio(key="classement").value == "jenks"
    assert again.toggle(key="voisins").value is True
    assert "Niveau : commune" in " ".join(c.value for c in again.caption)


def test_default_choices_leave_the_url_short(app):
    at = app.run()
    assert set(_params(at)) <= {"territoire", "indicateur"}


def test_a_bad_setting_in_the_url_warns_in_french(app):
    app.query_params["classement"] = "au_hasard"
    at = app.run()
    assert not at.exception
    assert any("Réglage inconnu dans l'adresse" in w.value for w in at.warning)
    assert at.radio(key="classement").value == "quantiles"  # the default classes (h17b)


def test_profil_link_keeps_the_compared_and_mapped_indicators(app):
    app.query_params["territoire"] = f"epci:{EPCI_A}"
    at = app.switch_page("app_pages/profil.py").run()
    at.selectbox(key="profil_indicateur").set_value("taux_pauvrete").run()
    at.selectbox(key="profil_carte_indicateur").set_value("part_65_plus").run()
    assert not at.exception
    again = _reopen(at, "app_pages/profil.py")
    assert again.selectbox(key="profil_indicateur").value == "taux_pauvrete"
    assert again.selectbox(key="profil_carte_indicateur").value == "part_65_plus"


def test_ressources_link_keeps_need_measure_and_points(app):
    app.query_params["territoire"] = f"epci:{EPCI_A}"
    at = app.switch_page("app_pages/ressources.py").run()
    at.selectbox(key="ressources_besoin").set_value("part_65_plus").run()
    at.segmented_control(key="ressources_mesure").set_value("pour_10000").run()
    at.segmented_control(key="ressources_points").set_value("commune").run()
    assert not at.exception
    again = _reopen(at, "app_pages/ressources.py")
    assert again.selectbox(key="ressources_besoin").value == "part_65_plus"
    assert again.segmented_control(key="ressources_mesure").value == "pour_10000"
    assert again.segmented_control(key="ressources_points").value == "commune"


def test_comparer_starts_from_the_sidebar_territory_and_keeps_the_screening(app):
    from indicateurs.analysis import compare

    app.query_params["territoire"] = f"epci:{EPCI_A}"
    at = app.switch_page("app_pages/comparer.py").run()
    assert not at.exception
    assert at.multiselect(key="cmp_selection").value == [compare.territory_key("epci", EPCI_A)]
    assert at.selectbox(key="cmp_region").value == "94"  # the territory's région, not the default one
    at.multiselect(key="cmp_natures").set_value(["CA"]).run()
    at.select_slider(key="cmp_population").set_value((5_000, 1_000_000)).run()
    at.slider(key="cmp_w_ifn").set_value(3.0).run()
    pair = [compare.territory_key("epci", EPCI_A), compare.territory_key("epci", EPCI_B)]
    at.multiselect(key="cmp_selection").set_value(pair).run()
    at.segmented_control(key="cmp_show").set_value("centile").run()
    assert not at.exception
    params = _params(at)
    assert params["cmp_natures"] == "CA" and params["cmp_population"] == "5000,1000000"
    assert params["cmp_w_ifn"] == "3"

    again = _reopen(at, "app_pages/comparer.py")
    assert again.multiselect(key="cmp_natures").value == ["CA"]
    assert again.select_slider(key="cmp_population").value == (5_000, 1_000_000)
    assert again.slider(key="cmp_w_ifn").value == 3.0
    assert again.segmented_control(key="cmp_show").value == "centile"
    assert again.multiselect(key="cmp_selection").value == pair
