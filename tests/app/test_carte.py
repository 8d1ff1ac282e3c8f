"""AppTest of the Carte page through app.py on the synthetic base: territory and indicator by widget key.

The bodies are shared with the real-data layer (tests/app/checks/carte.py)."""

from tests.app.checks import carte as check
from tests.synthetic import EPCI_A, EPCI_B


def test_default_view_is_france_by_epci_with_ifn_in_quantiles(app):
    check.default_view_is_france_by_epci_with_ifn_in_quantiles(app, n_epci=2)


def test_choose_an_epci_then_an_indicator(app):
    check.choose_an_epci_then_an_indicator(
        app,
        epci=EPCI_A,
        label=f"CA du Pays Ajaccien (EPCI, {EPCI_A})",
        region="94",  # Corse by EPCI
        rows_in_region=range(2, 3),
    )


def test_commune_map_of_a_departement(app):
    # the 8 communes of the synthetic Corse-du-Sud
    check.commune_map_of_a_departement(app, departement="2A", communes=range(8, 9))


def test_unknown_codes_in_the_url_warn_in_french_and_fall_back(app):
    check.unknown_codes_in_the_url_warn_in_french_and_fall_back(app)


def test_url_reopens_the_same_view_and_projector_mode(app):
    check.url_reopens_the_same_view_and_projector_mode(app, epci=EPCI_A, nom="CA du Pays Ajaccien")


def test_search_ignores_accents_and_case_and_picks_the_first_match(app):
    check.search_ignores_accents_and_case_and_picks_the_first_match(
        app,
        [
            ("SARTENE", "commune:2A272", "Sartène (commune, 2A272)"),
            ("sartenais valinco", f"epci:{EPCI_B}", None),
            ("2a004", "commune:2A004", "Ajaccio (commune, 2A004)"),
        ],
    )


def test_neighbours_of_an_epci_share_a_border(built_store):
    from ui import data

    assert data.neighbour_codes("epci", EPCI_A) == [EPCI_B]
    assert set(data.neighbour_codes("commune", "2A004")) == {"2A006", "2A017", "2A032"}


def test_region_map_is_fitted_to_the_whole_region_not_a_corner(app):
    """#17 item 7: the two EPCI of the synthetic Corse are in the frame, and the frame is the région's."""
    check.region_map_is_fitted_to_the_whole_region(app, epci=EPCI_A, region="94")


def test_france_map_is_fitted_to_metropolitan_france_and_the_overseas_insets(app):
    check.france_map_is_fitted_to_metropolitan_france_and_the_overseas_insets(app)


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
