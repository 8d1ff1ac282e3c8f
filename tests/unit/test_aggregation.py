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
