"""AppTest of the Comparer page on the base built from the mirror.

The bodies are shared with the synthetic layer (tests/app/checks/comparer.py)."""

from __future__ import annotations

import pytest

from tests.app.checks import comparer as check

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def na_epci(base) -> list[str]:
    """The EPCI of Nouvelle-Aquitaine, largest first (stable choice across builds)."""
    return check.epci_largest_first(base, "75")


def test_choose_three_epci_by_key(base, na_epci):
    check.choose_epci_by_key(base, na_epci[:3])


def test_selection_from_url_and_bad_items(base, na_epci):
    check.selection_from_url_and_bad_items(na_epci[0], na_epci[5])


def test_more_than_twelve_is_refused_in_french(na_epci):
    check.more_than_twelve_is_refused_in_french([f"epci:{c}" for c in na_epci[:13]])


def test_changing_a_weight_changes_the_ranking_as_the_scores_module_does(base, na_epci):
    check.changing_a_weight_changes_the_ranking_as_the_scores_module_does(
        base, na_epci, ifn=1.0, taux_pauvrete=3.0, part_65_plus=1.5
    )


def test_take_the_first_of_the_ranking(na_epci):
    check.take_the_first_of_the_ranking(4)


def test_comparison_export_opens_in_openpyxl(base, na_epci, media):
    check.comparison_export_opens_in_openpyxl(base, na_epci[:3], media)


def test_selection_comes_back_after_visiting_another_page(na_epci):
    check.selection_comes_back_after_visiting_another_page(na_epci[2:5])


def test_other_levels_communes_of_a_departement_and_france(base):
    check.other_levels_communes_of_a_departement_and_france(
        base,
        departement="79",
        communes=("79191", "79049"),
        labels=("Niort (commune 79191)", "Bressuire (commune 79049)"),
    )
