"""AppTest of the Carte page through app.py: territory and indicator chosen by widget key.

The bodies are shared with the synthetic layer (tests/app/checks/carte.py)."""

import pytest

from tests.app.checks import carte as check

pytestmark = pytest.mark.integration


def test_default_view_is_france_by_epci_with_ifn_in_quantiles(app):
    check.default_view_is_france_by_epci_with_ifn_in_quantiles(app, n_epci=1255)


def test_choose_an_epci_then_an_indicator(app):
    check.choose_an_epci_then_an_indicator(
        app,
        epci="200041523",
        label="CC de la Haute Saintonge (EPCI, 200041523)",
        region="75",  # Nouvelle-Aquitaine by EPCI
        rows_in_region=range(101, 200),
    )


def test_commune_map_of_a_departement(app):
    # the communes of Deux-Sèvres
    check.commune_map_of_a_departement(app, departement="79", communes=range(201, 1000))


def test_unknown_codes_in_the_url_warn_in_french_and_fall_back(app):
    check.unknown_codes_in_the_url_warn_in_french_and_fall_back(app)


def test_url_reopens_the_same_view_and_projector_mode(app):
    check.url_reopens_the_same_view_and_projector_mode(app, epci="200041523", nom="CC de la Haute Saintonge")


def test_search_ignores_accents_and_case_and_picks_the_first_match(app):
    check.search_ignores_accents_and_case_and_picks_the_first_match(
        app,
        [
            ("HAUT VAL DE SEVRE", "epci:200041994", "CC Haut Val de Sèvre (EPCI, 200041994)"),
            ("79191", "commune:79191", "Niort (commune, 79191)"),
        ],
    )


def test_neighbours_of_an_epci_share_a_border(built_store):
    from ui import data

    near = data.neighbour_codes("epci", "200041523")
    assert 3 <= len(near) <= 15 and "200041523" not in near


def test_france_map_draws_the_overseas_departements_as_insets(app):
    """#17 item 4: Guadeloupe, Martinique, Guyane, La Réunion and Mayotte are in the frame."""
    from shapely.geometry import box

    from indicateurs.render.insets import DROM, FRANCE_BOUNDS
    from ui import cache, data

    check.france_map_is_fitted_to_metropolitan_france_and_the_overseas_insets(app)
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
    check.region_map_is_fitted_to_the_whole_region(app, epci="200067106", region="75")
