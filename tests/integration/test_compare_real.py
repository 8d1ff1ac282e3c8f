"""Comparison and screening on the base built from the mirror."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pytest

from indicateurs.analysis import compare
from indicateurs.reference.registry import list_indicators
from indicateurs.render.tables import xlsx_bytes

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def na(base):
    return compare.filter_territories(base.territories, level="epci", region=compare.DEFAULT_REGION)


def test_nouvelle_aquitaine_has_about_150_epci_with_string_codes(na):
    assert 140 <= len(na) <= 160
    assert na["code"].map(lambda c: isinstance(c, str) and len(c) == 9).all()
    assert set(na["nature"]) <= set(compare.NATURE_LABELS)


def test_comparison_of_twelve_matches_the_base(base, na):
    wide = base.wide("epci")
    codes = na["code"].head(12).tolist()
    table = compare.comparison_table({"epci": wide}, [f"epci:{c}" for c in codes])
    ids = [i.id for i in list_indicators() if i.id in wide.columns]
    assert len(table) == 12 * len(ids)
    got = table.pivot(index="code", columns="indicator", values="value").loc[codes, ids]
    np.testing.assert_allclose(got.to_numpy(float), wide.loc[codes, ids].to_numpy(float), equal_nan=True)
    pct = table["percentile"].dropna()
    assert pct.between(0, 100).all()
    # a missing value never becomes 0 in the text
    missing = table[table["value"].isna()]
    assert missing["text"].str.startswith("donnée non disponible").all()


def test_mixed_levels(base, na):
    keys = [f"epci:{na['code'].iloc[0]}", "departement:79", "region:75"]
    wides = {lv: base.wide(lv) for lv in ("epci", "departement", "region")}
    table = compare.comparison_table(wides, keys, ["ifn", "population"])
    pop = table[table["indicator"] == "population"].set_index("key")["value"]
    assert pop["region:75"] > pop["departement:79"] > 0


def test_screening_nouvelle_aquitaine(base, na):
    from indicateurs.analysis import scores

    wide = base.wide("epci")
    weights = {"ifn": 1.0, "lieux_pour_10000": 2.0, "taux_pauvrete": 1.0}
    screen = compare.screening_table(wide, base.territories, weights=weights)
    assert len(screen) == len(na)
    assert screen["rang"].iloc[0] == 1 and screen["rang"].is_monotonic_increasing
    used = {k: v for k, v in weights.items() if k in wide.columns}  # the offer may not be built yet
    expected = scores.composite_index(wide, list(used), used).score
    np.testing.assert_allclose(screen["score"], expected.loc[screen["code"]].to_numpy())
    assert screen["indice_composite"].notna().mean() > 0.95
    assert screen["stabilite"].head(compare.ROBUSTNESS_TOP).str.startswith("Classé").all()
    assert (screen["stabilite"].iloc[compare.ROBUSTNESS_TOP :] == "").all()
    out = compare.screening_export(screen, weights)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Présélection": out})))
    ws = wb["Présélection"]
    assert ws.max_row == len(screen) + 1
    assert ws.cell(2, 3).value == screen["code"].iloc[0]
