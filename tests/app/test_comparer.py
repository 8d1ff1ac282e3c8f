"""AppTest of the Comparer page on the synthetic base (2 EPCI, 8 communes of Corse-du-Sud).

The bodies are shared with the real-data layer (tests/app/checks/comparer.py)."""

from __future__ import annotations

import pytest

from tests.app.checks import comparer as check
from tests.synthetic import CODES


@pytest.fixture(scope="module")
def na_epci(base) -> list[str]:
    """The EPCI of the synthetic Corse, largest first."""
    return check.epci_largest_first(base, "94")


def test_choose_two_epci_by_key(base, na_epci):
    check.choose_epci_by_key(base, na_epci)


def test_selection_from_url_and_bad_items(base, na_epci):
    check.selection_from_url_and_bad_items(na_epci[0], na_epci[1])


def test_more_than_twelve_is_refused_in_french(na_epci):
    keys = [f"commune:{c}" for c in CODES] + [f"epci:{c}" for c in na_epci]
    check.more_than_twelve_is_refused_in_french([*keys, "departement:2A", "region:94", "france:FR"])


def test_changing_a_weight_changes_the_ranking_as_the_scores_module_does(base, na_epci):
    after = check.changing_a_weight_changes_the_ranking_as_the_scores_module_does(
        base, na_epci, ifn=3.0, taux_pauvrete=0.5, part_65_plus=3.0
    )
    assert after["SIREN"].iloc[0] == na_epci[1]  # CC du Sartenais Valinco: (3 + 3) / 7.5 of the weight
    assert after["Score pondéré"].iloc[0] == 80


def test_take_the_first_of_the_ranking(na_epci):
    check.take_the_first_of_the_ranking(2)


def test_comparison_export_opens_in_openpyxl(base, na_epci, media):
    check.comparison_export_opens_in_openpyxl(base, na_epci, media)


def test_selection_comes_back_after_visiting_another_page(na_epci):
    check.selection_comes_back_after_visiting_another_page(list(reversed(na_epci)))


def test_other_levels_communes_of_a_departement_and_france(base):
    check.other_levels_communes_of_a_departement_and_france(
        base,
        departement="2A",
        communes=("2A272", "2A035"),
        labels=("Sartène (commune 2A272)", "Belvédère-Campomoro (commune 2A035)"),
    )
