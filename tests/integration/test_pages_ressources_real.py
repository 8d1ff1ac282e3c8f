"""AppTest of the Ressources page with a preset territory (needs the base built from the mirror).

The bodies are shared with the synthetic layer (tests/app/checks/ressources.py)."""

from __future__ import annotations

import pytest

from tests.app.checks import ressources as check

pytestmark = pytest.mark.integration

EPCI = "200041523"  # CC de la Haute Saintonge


def test_epci_page(built_store):
    check.epci_page(
        EPCI, nom="CC de la Haute Saintonge", france_services=7, communes_reached=129, farthest_km=10
    )


def test_measure_per_10000(built_store):
    check.measure_per_10000(EPCI, france_services=7, population=69164)


def test_add_a_place_with_the_form(built_store):
    check.add_a_place_with_the_form(EPCI, "17197")  # Jonzac, in the EPCI


def test_bad_form_gets_a_french_message(built_store):
    check.bad_form_gets_a_french_message(EPCI, "17999")


def test_region_has_no_map_but_comparisons(built_store):
    check.region_has_no_map_but_comparisons("75")


def test_composite_index_as_the_need(built_store):
    check.composite_index_as_the_need(EPCI)
