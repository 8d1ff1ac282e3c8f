"""Aggregation from communes: ratio of sums, weighted means, coverage, never a blind average."""

import numpy as np
import pandas as pd
import pytest

from indicateurs.build.pipeline import _aggregate
from indicateurs.reference.registry import get_indicator


@pytest.fixture()
def communes():
    return pd.DataFrame(
        {
            "code": ["a", "b", "c"],
            "epci": ["E1", "E1", "E2"],
            "w_population": [100.0, 900.0, 50.0],
            "w_menages_fiscaux": [40.0, 400.0, np.nan],
            "part_thd__num": [10.0, 90.0, 0.0],
            "part_thd__den": [100.0, 100.0, 20.0],
            "taux_pauvrete": [np.nan, 0.2, np.nan],
            "ifn": [2.0, 6.0, 9.0],
            "population": [100.0, 900.0, 50.0],
        }
    )


def test_ratio_is_ratio_of_sums(communes):
    out = _aggregate(communes, get_indicator("part_thd"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == pytest.approx(
        100 / 200
    )  # not the mean of 0.1 and 0.9... which is also 0.5
    assert out.loc["E2", "value"] == 0.0
    communes.loc[0, "part_thd__den"] = 300.0
    out = _aggregate(communes, get_indicator("part_thd"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == pytest.approx(100 / 400)  # the mean of rates would be 0.467


def test_weighted_mean_uses_declared_weight(communes):
    out = _aggregate(communes, get_indicator("ifn"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == pytest.approx((2 * 100 + 6 * 900) / 1000)
    assert out.loc["E1", "coverage"] == 1.0


def test_secret_values_are_excluded_and_coverage_reported(communes):
    out = _aggregate(communes, get_indicator("taux_pauvrete"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == pytest.approx(0.2)
    assert out.loc["E1", "coverage"] == pytest.approx(0.9)
    assert np.isnan(out.loc["E2", "value"])  # all secret: missing, never 0
    assert out.loc["E2", "coverage"] == 0.0


def test_sum(communes):
    out = _aggregate(communes, get_indicator("population"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == 1000 and out.loc["E2", "value"] == 50


# ---------------------------------------------------------------- coverage, status, estimate (#14)


def test_thin_value_is_not_a_plain_figure(communes):
    """E1's poverty rests on commune b (90 % of the people): shown. Below 80 % it is not."""
    communes["w_population"] = [300.0, 700.0, 50.0]  # b now holds 70 %
    ind = get_indicator("part_65_plus")
    communes["part_65_plus"] = [np.nan, 0.3, 0.1]
    out = _aggregate(communes, ind, "epci", "epci").set_index("code")
    assert np.isnan(out.loc["E1", "value"])
    assert out.loc["E1", "statut"] == "couverture insuffisante"
    assert out.loc["E1", "coverage"] == pytest.approx(0.7)
    assert out.loc["E1", "note"] == "non disponible : 70 % de la population couverte"
    assert out.loc["E2", "statut"] == "complet" and out.loc["E2", "value"] == pytest.approx(0.1)


def test_estimate_counts_secret_communes_and_is_flagged(communes):
    communes["w_population"] = [300.0, 700.0, 50.0]
    communes["w_menages_fiscaux"] = [100.0, 300.0, 20.0]
    communes["taux_pauvrete__estime"] = [0.1, np.nan, 0.12]
    out = _aggregate(communes, get_indicator("taux_pauvrete"), "epci", "epci").set_index("code")
    assert out.loc["E1", "value"] == pytest.approx((0.1 * 100 + 0.2 * 300) / 400)
    assert out.loc["E1", "statut"] == "estimé"
    assert out.loc["E1", "coverage"] == pytest.approx(0.7)  # published share only
    assert out.loc["E2", "value"] == pytest.approx(0.12) and out.loc["E2", "statut"] == "estimé"
    communes_level = _aggregate(communes, get_indicator("taux_pauvrete"), "commune", "code").set_index("code")
    assert np.isnan(communes_level.loc["a", "value"])  # a secret commune stays secret


def test_missing_reason_comes_from_the_communes(communes):
    communes["departement"] = ["01", "01", "976"]
    communes["taux_chomage__num"] = [1.0, 9.0, np.nan]
    communes["taux_chomage__den"] = [10.0, 90.0, np.nan]
    from indicateurs.build.pipeline import _missing_reasons

    ind = get_indicator("taux_chomage")
    reasons = _missing_reasons(communes, ind, ["taux_chomage__num", "taux_chomage__den"])
    out = _aggregate(communes, ind, "epci", "epci", reasons).set_index("code")
    assert out.loc["E1", "value"] == pytest.approx(0.1)
    assert out.loc["E2", "statut"] == "non couvert par la source"
    communes["departement"] = ["01", "01", "01"]
    communes["taux_pauvrete"] = [np.nan, 0.2, np.nan]
    pov = get_indicator("taux_pauvrete")
    reasons = _missing_reasons(communes, pov, ["taux_pauvrete"])
    out = _aggregate(communes, pov, "epci", "epci", reasons).set_index("code")
    assert out.loc["E2", "statut"] == "secret statistique"


def test_status_text_reads_as_a_workshop_should():
    from indicateurs.reference.registry import status_text

    assert status_text(0.187, "taux_pauvrete", "estimé", 0.0) == "18,7\u00a0% (estimé)"
    assert status_text(np.nan, "part_65_plus", "couverture insuffisante", 0.42) == (
        "non disponible : 42\u00a0% de la population couverte"
    )
    assert (
        status_text(np.nan, "taux_pauvrete", "secret statistique")
        == "donnée non disponible (secret statistique)"
    )
    assert (
        status_text(np.nan, "taux_chomage", "non couvert par la source")
        == "donnée non couverte par la source"
    )
    reason = "Indice non calculé : 1 indicateur disponible sur 6 (il en faut au moins 4)."
    assert status_text(np.nan, "indice_composite", "couverture insuffisante", 0.17, reason) == reason
    mayotte = "Mayotte : population du recensement de 2017 (pas de populations légales 2023)"
    assert (
        status_text(50020.0, "population", "complet", 1.0, mayotte)
        == "50\u202f020\u00a0hab. (recensement de 2017)"
    )
    assert status_text(0.2, "taux_chomage", None) == "20,0\u00a0%"  # a base without statuses
