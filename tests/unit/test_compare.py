"""Comparison, screening, filters and weighted ranking on tiny hand-made frames."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from indicateurs.analysis import compare
from indicateurs.analysis.compare import (
    SelectionError,
    check_selection,
    comparison_export,
    comparison_table,
    filter_territories,
    format_selection,
    parse_selection,
    screening_export,
    screening_table,
    side_by_side,
    sources_lines,
)
from indicateurs.render.compare_charts import indicator_chart, profile_chart
from indicateurs.render.tables import xlsx_bytes
from tests.vega_spec import assert_valid_vega_lite

NAN = float("nan")


@pytest.fixture
def territories() -> pd.DataFrame:
    rows = [
        # level, code, nom, epci, departement, region, population, nature
        ("epci", "200000001", "CC Alpha", "200000001", "79", "75", 20_000, "CC"),
        ("epci", "200000002", "CA Béta", "200000002", "79", "75", 80_000, "CA"),
        ("epci", "200000003", "CC Gamma", "200000003", "86", "75", 5_000, "CC"),
        ("epci", "200000004", "Métropole Delta", "200000004", "33", "75", 800_000, "METRO"),
        ("epci", "200000005", "CC Epsilon", "200000005", "44", "52", 30_000, "CC"),
        ("departement", "79", "Deux-Sèvres", None, "79", "75", 370_000, None),
        ("departement", "86", "Vienne", None, "86", "75", 440_000, None),
        ("region", "75", "Nouvelle-Aquitaine", None, None, "75", 6_000_000, None),
    ]
    return pd.DataFrame(
        rows, columns=["level", "code", "nom", "epci", "departement", "region", "population", "nature"]
    )


@pytest.fixture
def wide_epci() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["CC Alpha", "CA Béta", "CC Gamma", "Métropole Delta", "CC Epsilon"],
            "population": [20_000.0, 80_000.0, 5_000.0, 800_000.0, 30_000.0],
            "ifn": [6.0, 4.0, 8.0, 3.0, 5.0],
            "taux_pauvrete": [0.15, 0.12, NAN, 0.18, 0.10],
            "lieux_pour_10000": [2.0, 1.0, 0.5, 1.5, 3.0],
        },
        index=pd.Index(["200000001", "200000002", "200000003", "200000004", "200000005"], name="code"),
    )


@pytest.fixture
def wide_dep() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["Deux-Sèvres", "Vienne"],
            "population": [370_000.0, 440_000.0],
            "ifn": [5.0, 4.0],
            "taux_pauvrete": [0.13, 0.14],
            "lieux_pour_10000": [1.2, 1.1],
        },
        index=pd.Index(["79", "86"], name="code"),
    )


KEYS3 = ["epci:200000001", "epci:200000002", "epci:200000003"]


# ----------------------------------------------------------------------------- selection


@pytest.mark.parametrize("n", [0, 1, 13, 20])
def test_check_selection_refuses_outside_2_to_12_in_french(n):
    with pytest.raises(SelectionError, match="territoires"):
        check_selection([f"epci:{i}" for i in range(n)])


@pytest.mark.parametrize("n", [2, 7, 12])
def test_check_selection_accepts_2_to_12(n):
    check_selection([f"epci:{i}" for i in range(n)])


def test_check_selection_messages_say_the_limits():
    with pytest.raises(SelectionError) as few:
        check_selection(["epci:1"])
    assert "au moins 2" in str(few.value)
    with pytest.raises(SelectionError) as many:
        check_selection([f"epci:{i}" for i in range(13)])
    assert "13 territoires" in str(many.value) and "12 au plus" in str(many.value)


def test_parse_selection_round_trip_and_rejects(territories):
    text = "epci:200000001, epci:200000002,departement:79,epci:999,nimporte,epci:200000001,200000003"
    sel = parse_selection(text, territories)
    # bare codes are EPCI; duplicates dropped; unknown codes and garbage set aside
    assert sel.keys == ["epci:200000001", "epci:200000002", "departement:79", "epci:200000003"]
    assert sel.rejected == ["epci:999", "nimporte"]
    assert format_selection(sel.keys) == "epci:200000001,epci:200000002,departement:79,epci:200000003"
    assert parse_selection(None, territories).keys == []


def test_share_link():
    keys = ["epci:200000001", "departement:79"]
    link = compare.share_link("http://atelier.local:8501/comparer?x=1", keys)
    assert link == "http://atelier.local:8501/comparer?selection=epci:200000001,departement:79"
    assert compare.share_link(None, keys) == "?selection=epci:200000001,departement:79"


def test_territory_label_distinguishes_levels(territories):
    assert compare.territory_label("epci:200000002", territories) == "CA Béta (200000002)"
    assert compare.territory_label("departement:79", territories) == "Deux-Sèvres (département 79)"
    assert compare.territory_label("region:75", territories) == "Nouvelle-Aquitaine (région 75)"


# ----------------------------------------------------------------------------- filters


def test_filter_by_region_departement_nature_population(territories):
    def codes(**kw):
        return filter_territories(territories, **kw)["code"].tolist()

    assert codes(region="75") == ["200000001", "200000002", "200000003", "200000004"]
    assert codes(region="75", departements=["79"]) == ["200000001", "200000002"]
    assert codes(natures=["CC"]) == ["200000001", "200000003", "200000005"]
    assert codes(population=(10_000, 80_000)) == ["200000001", "200000002", "200000005"]  # bounds inclusive
    assert codes(population=(None, 10_000)) == ["200000003"]
    assert codes(region="75", natures=[], departements=None) == codes(region="75")
    assert codes(level="departement", region="75") == ["79", "86"]


# ----------------------------------------------------------------------------- comparison


def test_comparison_median_difference(wide_epci, wide_dep):
    table = comparison_table({"epci": wide_epci}, KEYS3, ["ifn", "taux_pauvrete"])
    assert len(table) == 6
    ifn = table[table["indicator"] == "ifn"].set_index("code")
    assert ifn["median"].tolist() == [6.0, 6.0, 6.0]  # median of 6, 4, 8
    assert ifn["delta"].tolist() == [0.0, -2.0, 2.0]
    assert ifn.loc["200000003", "delta_text"] == "▲ +2,0\u00a0pts"
    assert ifn.loc["200000002", "delta_text"] == "▼ −2,0\u00a0pts"
    assert ifn.loc["200000001", "delta_text"] == "= médiane"
    pov = table[table["indicator"] == "taux_pauvrete"].set_index("code")
    # the secret value is excluded from the median, not counted as 0
    assert pov.loc["200000001", "median"] == pytest.approx(0.135)
    assert pov.loc["200000001", "delta_text"] == "▲ +1,5\u00a0pts"
    assert pov.loc["200000003", "text"] == "donnée non disponible (secret statistique)"
    assert np.isnan(pov.loc["200000003", "percentile"])
    assert pov.loc["200000003", "delta_text"] == ""


def test_comparison_percentile_is_national_not_within_group(wide_epci):
    table = comparison_table({"epci": wide_epci}, KEYS3[:2], ["ifn"]).set_index("code")
    # ifn 6 is the 4th of 5 EPCI nationally (3, 4, 5, 6, 8): 3 of the 4 others below, 75th percentile
    assert table.loc["200000001", "percentile"] == pytest.approx(75.0)
    assert table.loc["200000002", "percentile"] == pytest.approx(25.0)


def test_comparison_mixes_levels_and_keeps_order(wide_epci, wide_dep):
    keys = ["departement:79", "epci:200000002"]
    table = comparison_table({"epci": wide_epci, "departement": wide_dep}, keys, ["ifn"])
    assert table["key"].tolist() == keys
    assert table["value"].tolist() == [5.0, 4.0]


def test_comparison_refuses_bad_selection(wide_epci):
    with pytest.raises(SelectionError, match="au moins 2"):
        comparison_table({"epci": wide_epci}, ["epci:200000001"])
    with pytest.raises(SelectionError, match="inconnu"):
        comparison_table({"epci": wide_epci}, ["epci:200000001", "epci:123"])


def test_side_by_side_grid(wide_epci, territories):
    table = comparison_table({"epci": wide_epci}, KEYS3, ["ifn", "taux_pauvrete", "population"])
    grid, pct = side_by_side(table, territories)
    assert grid.shape == (3, 4)  # 3 indicators; reading direction + 3 territories
    assert list(grid.columns) == [
        "Sens de lecture",
        "CC Alpha (200000001)",
        "CA Béta (200000002)",
        "CC Gamma (200000003)",
    ]
    assert (
        grid.loc["Indice de fragilité numérique (IFN, 5 indicateurs)", "CC Gamma (200000003)"]
        == "8,0\u00a0/\u00a010  ▲ +2,0\u00a0pts"
    )
    assert grid.loc["Population municipale", "Sens de lecture"] == "contexte"
    assert pct.shape == (3, 3)
    centiles, _ = side_by_side(table, territories, show="centile")
    assert (
        centiles.loc["Indice de fragilité numérique (IFN, 5 indicateurs)", "CC Alpha (200000001)"]
        == "75e centile national"
    )
    assert centiles.loc["Taux de pauvreté (seuil 60 %)", "CC Gamma (200000003)"] == (
        "donnée non disponible (secret statistique)"
    )


def test_detail_table(wide_epci):
    table = comparison_table({"epci": wide_epci}, KEYS3, ["ifn", "taux_pauvrete"])
    detail = compare.detail_table(table)
    row = detail[(detail["Territoire"] == "CC Gamma") & (detail["Indicateur"] == "IFN")].iloc[0]
    assert row["Valeur"] == "8,0\u00a0/\u00a010" and row["Centile national"] == 100
    assert row["Écart à la médiane du groupe"] == "▲ +2,0\u00a0pts"
    secret = detail[(detail["Territoire"] == "CC Gamma") & (detail["Indicateur"] == "Pauvreté")].iloc[0]
    assert secret["Valeur"] == "donnée non disponible (secret statistique)" and np.isnan(
        secret["Centile national"]
    )


def test_export_and_sources(wide_epci):
    table = comparison_table({"epci": wide_epci}, KEYS3, ["ifn", "taux_pauvrete"])
    out = comparison_export(table)
    row = out[(out["Code"] == "200000001") & (out["Identifiant"] == "taux_pauvrete")].iloc[0]
    assert row["Valeur"] == pytest.approx(15.0)  # rates in % in spreadsheets
    assert row["Millésime"] == "Filosofi 2019" and "INSEE" in row["Source"]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Comparaison": out})))
    ws = wb["Comparaison"]
    assert [c.value for c in ws[1]][:3] == ["Territoire", "Code", "Niveau"]
    assert ws.cell(2, 2).value == "200000001"  # codes stay text
    lines = sources_lines(["ifn", "taux_pauvrete", "revenu_median"])
    assert len(lines) == 2 and lines[1].endswith(": Pauvreté, Revenu médian")


def test_charts_keep_missing_as_text(wide_epci):
    table = comparison_table({"epci": wide_epci}, KEYS3, ["ifn", "taux_pauvrete"])
    chart = indicator_chart(table, "taux_pauvrete")
    assert_valid_vega_lite(chart)
    bars = chart["datasets"]["barres"]
    assert [b["x"] for b in bars if b["x"] is not None] == pytest.approx([12.0, 15.0])  # ×100
    assert [b["shown"] for b in bars if b["x"] is None] == ["donnée non disponible"]  # Gamma: no bar
    bar = chart["layer"][0]["encoding"]
    assert bar["x"]["title"] == "Pauvreté (%)"
    assert bar["y"]["scale"]["domain"][-1] == bars[0]["nom"]  # the missing row at the bottom
    assert {"Territoire", "Pauvreté"} <= {t["title"] for t in bar["tooltip"]}
    assert any("médiane du groupe" in str(layer["data"]) for layer in chart["layer"])
    assert all(len(line) <= 42 for line in chart["title"]["text"])  # wrapped for a phone
    radar = profile_chart(table)
    assert_valid_vega_lite(radar)
    points = radar["datasets"]["profils"]
    assert len({p["nom"] for p in points}) == 3
    alpha = [p for p in points if p["nom"] == points[0]["nom"]]
    assert (alpha[0]["x"], alpha[0]["y"]) == pytest.approx((alpha[-1]["x"], alpha[-1]["y"]))  # closed line
    offer = comparison_table({"epci": wide_epci}, KEYS3, ["lieux_pour_10000", "ifn"])
    # less offer = more fragile: Gamma (0.5, the lowest of 5) sits at the outer ring
    gamma = [p for p in profile_chart(offer)["datasets"]["profils"] if p["nom"] == "CC Gamma"]
    assert [p["centile"] for p in gamma] == pytest.approx([100.0, 100.0, 100.0])
    assert gamma[0]["lu"] == "100 / 100" and gamma[0]["y"] == pytest.approx(100.0)  # first axis on top


# ----------------------------------------------------------------------------- screening


def test_screening_filters_and_columns(wide_epci, territories):
    screen = screening_table(wide_epci, territories, region="75", natures=["CC"])
    assert sorted(screen["code"]) == ["200000001", "200000003"]
    assert {"population", "ifn", "indice_composite", "lieux_pour_10000", "score", "rang", "stabilite"} <= set(
        screen.columns
    )


def test_screening_ranking_follows_weights(wide_epci, territories):
    by_ifn = screening_table(wide_epci, territories, region="75", weights={"ifn": 1})
    # IFN alone: Gamma (8) first, then Alpha (6), Béta (4), Delta (3)
    assert by_ifn["nom"].tolist() == ["CC Gamma", "CC Alpha", "CA Béta", "Métropole Delta"]
    assert by_ifn["rang"].tolist() == [1, 2, 3, 4]
    by_offer = screening_table(wide_epci, territories, region="75", weights={"lieux_pour_10000": 1})
    # less offer per 10 000 = higher priority (direction -1): Gamma 0.5, Béta 1, Delta 1.5, Alpha 2
    assert by_offer["nom"].tolist() == ["CC Gamma", "CA Béta", "Métropole Delta", "CC Alpha"]
    mixed = screening_table(wide_epci, territories, region="75", weights={"ifn": 1, "lieux_pour_10000": 3})
    scores = mixed.set_index("code")["score"]
    # percentile = share of the 4 other EPCI below; less offer = more fragile
    ifn_pct = (wide_epci["ifn"].rank() - 1) / 4 * 100
    offer_pct = 100 - (wide_epci["lieux_pour_10000"].rank() - 1) / 4 * 100
    expected = (ifn_pct + 3 * offer_pct) / 4
    assert scores.to_dict() == pytest.approx(expected.loc[scores.index].to_dict())


def test_screening_zero_weights_fall_back_on_composite(wide_epci, territories):
    screen = screening_table(wide_epci, territories, region=None, weights={"ifn": 0})
    assert screen["score"].tolist() == pytest.approx(screen["indice_composite"].tolist(), nan_ok=True)


def test_screening_unknown_criterion_is_a_french_error(wide_epci, territories):
    with pytest.raises(ValueError, match="Indicateur inconnu"):
        screening_table(wide_epci, territories, weights={"ifm": 1})


def test_screening_export(wide_epci, territories):
    screen = screening_table(wide_epci, territories, region="75", weights={"ifn": 2})
    out = screening_export(screen, {"ifn": 2})
    assert out["Rang"].tolist() == [1, 2, 3, 4]
    assert out["Pondérations"].iloc[0] == "IFN × 2"
    assert out["Nature"].iloc[-1] == "Métropole"
