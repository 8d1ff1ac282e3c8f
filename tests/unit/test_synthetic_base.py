"""The synthetic base: the real build on invented sources gives the aggregates computed by hand."""

from __future__ import annotations

import pytest

from tests import synthetic


def test_levels_and_codes(synthetic_base):
    wide = synthetic_base.wide("commune")
    assert sorted(wide.index) == sorted(synthetic.CODES)
    assert wide.at["2A272", "nom"] == "Sartène"
    assert sorted(synthetic_base.wide("epci").index) == sorted(synthetic.EPCI)
    assert list(synthetic_base.wide("departement").index) == ["2A"]
    assert list(synthetic_base.wide("region").index) == ["94"]
    assert list(synthetic_base.wide("france").index) == ["FR"]


def test_epci_ratios_are_ratios_of_sums(synthetic_base):
    epci = synthetic_base.wide("epci")
    # CA du Pays Ajaccien: (3000 + 100 + 50 + 200) / (30000 + 1500 + 1000 + 2400)
    assert epci.at[synthetic.EPCI_A, "taux_chomage"] == pytest.approx(3350 / 34900)
    for code in synthetic.EPCI:
        assert epci.at[code, "taux_chomage"] == pytest.approx(synthetic.EXPECTED["taux_chomage"][code])
        assert epci.at[code, "part_thd"] == pytest.approx(synthetic.EXPECTED["part_thd"][code])
        assert epci.at[code, "population"] == synthetic.EXPECTED["population"][code]
    assert synthetic_base.wide("france").at["FR", "population"] == 88250


def test_places_counted_as_documented(synthetic_base):
    wide = synthetic_base.wide("commune")
    # Ajaccio: 1 France Services + 1 lieu de médiation; the bus of Propriano is not a fixed place
    assert wide.at["2A004", "nb_france_services"] == 1 and wide.at["2A004", "nb_lieux_mediation"] == 1
    assert wide.at["2A249", "nb_france_services"] == 0
    assert wide.at["2A249", "nb_permanences_cnfs"] == 1
    assert wide.at["2A017", "nb_structures_aidants_connect"] == 0  # inactive structure
    assert wide.at["2A192", "nb_postes_cnfs"] == 2
    # 4 places (Ajaccio 2, Bastelicaccia 1, Alata 1) for 80,000 inhabitants
    assert synthetic_base.wide("epci").at[synthetic.EPCI_A, "lieux_pour_10000"] == pytest.approx(0.5)


def test_illectronisme_and_composite_index(synthetic_base):
    epci = synthetic_base.wide("epci")
    assert epci.at[synthetic.EPCI_B, "taux_illectronisme"] == pytest.approx(0.21)
    assert epci["indice_composite"].notna().all()
