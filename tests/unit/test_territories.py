"""Harmonisation to COG 2025 on tiny hand-made references."""

import pandas as pd
import pytest

from indicateurs.sources.territories import Reference, harmonise


@pytest.fixture()
def ref():
    communes = pd.DataFrame(
        {
            "code": ["01001", "01015", "75056"],
            "nom": ["A", "Fusion", "Paris"],
            "departement": ["01", "01", "75"],
            "region": ["84", "84", "11"],
            "population": [100, 300, 2000],
            "zone": "metro",
            "epci": ["200000001", "200000001", "200054781"],
        }
    )
    return Reference(
        communes=communes,
        epci=pd.DataFrame(),
        departements=pd.DataFrame(),
        regions=pd.DataFrame(),
        # 01340 merged into 01015; two Paris arrondissements fold into 75056
        old_to_new={"01340": "01015", "75101": "75056", "75102": "75056"},
    )


def test_merged_communes_add_counts_and_weight_rates(ref):
    df = pd.DataFrame(
        {
            "code": ["01001", "01015", "01340", "75101", "75102", "99999"],
            "n": [1, 2, 3, 10, 20, 5],
            "rate": [0.1, 0.2, 0.4, 0.5, None, 0.9],
            "w": [1, 1, 3, 10, 10, 1],
        }
    )
    h = harmonise(df, ref, source="test", sums=("n",), means=("rate",), weight="w")
    out = h.frame.set_index("code")
    assert out.loc["01015", "n"] == 5
    assert out.loc["01015", "rate"] == pytest.approx((0.2 * 1 + 0.4 * 3) / 4)
    assert out.loc["75056", "n"] == 30
    # a missing part is left out of the weighted mean, it never counts as 0
    assert out.loc["75056", "rate"] == pytest.approx(0.5)
    rep = h.report
    assert rep["rows_in"] == 6 and rep["rows_kept"] == 5
    assert rep["rows_unknown"] == 1 and rep["unknown_codes"] == ["99999"]
    assert rep["rows_recoded"] == 3
    assert rep["communes_covered"] == 3 and rep["coverage"] == 1.0


def test_all_missing_stays_missing(ref):
    df = pd.DataFrame({"code": ["01001"], "rate": [None], "w": [5]})
    out = harmonise(df, ref, source="t", means=("rate",), weight="w").frame
    assert out["rate"].isna().all()


def test_codes_stay_strings(ref):
    df = pd.DataFrame({"code": ["01001"], "n": [1]})
    out = harmonise(df, ref, source="t", sums=("n",)).frame
    assert out["code"].tolist() == ["01001"]
    assert h_missing(ref) == ["01015", "75056"]


def h_missing(ref):
    df = pd.DataFrame({"code": ["01001"], "n": [1]})
    return harmonise(df, ref, source="t", sums=("n",)).report["communes_missing"]
