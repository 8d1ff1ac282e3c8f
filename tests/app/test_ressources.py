"""AppTest of the Ressources page on the synthetic base, with a preset territory.

The bodies are shared with the real-data layer (tests/app/checks/ressources.py)."""

from __future__ import annotations

from tests.app.checks import ressources as check
from tests.synthetic import EPCI_A
from ui.safe import as_shown


def test_epci_page(built_store):
    # one France Services in the EPCI (Ajaccio)
    check.epci_page(EPCI_A, nom="CA du Pays Ajaccien", france_services=1, communes_reached=4, farthest_km=15)


def test_measure_per_10000(built_store):
    check.measure_per_10000(EPCI_A, france_services=1, population=80_000)


def test_add_a_place_with_the_form(built_store):
    check.add_a_place_with_the_form(EPCI_A, "2A006")  # Alata, in the EPCI


def test_bad_form_gets_a_french_message(built_store):
    check.bad_form_gets_a_french_message(EPCI_A, "2A999")


def test_region_has_no_map_but_comparisons(built_store):
    check.region_has_no_map_but_comparisons("94")


def test_composite_index_as_the_need(built_store):
    check.composite_index_as_the_need(EPCI_A)


def test_a_place_typed_without_a_type_is_refused_not_made_a_france_services(built_store):
    """#17 item 8: the type selector has no default, so a forgotten type is asked for."""
    at = check.page(("epci", EPCI_A))
    assert at.selectbox(key="ressources_form_type").value is None
    at.text_input(key="ressources_form_nom").input("Médiathèque sans type")
    at.text_input(key="ressources_form_code").input("2A006")
    at.button[-1].click().run()
    assert not at.exception and not at.success
    assert "le type de lieu est vide" in at.error[0].value


def test_the_partial_lieux_de_mediation_layer_is_said_under_the_map(built_store):
    at = check.page(("epci", EPCI_A))
    warnings = " ".join(as_shown(w.value) for w in at.warning)
    assert "Lieux de médiation : extrait partiel de janvier 2023" in warnings
