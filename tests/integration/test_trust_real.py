"""Issue #14: the corrected figures recomputed FROM THE RAW MIRROR FILES with this module's own pandas
code (not the package's aggregation, model or place loaders), then compared with the built base."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import isotonic_regression

from tests.conftest import mirror_or_skip

pytestmark = pytest.mark.integration

ARRONDISSEMENT = r"^(751(0[1-9]|1\d|20)|132(0[1-9]|1[0-6])|6938[1-9])$"
SAULNOIS, MOYENVIC = "245701206", "57490"
SEPT_VALLEES = "200044030"
GRAND_NORD_MAYOTTE = "200060465"
MAYOTTE_EPCI = ("200050532", "200059871", "200060457", "200060465", "200060473")
# EPCI of every kind: CC, CA, CU, métropoles (incl. Lyon), rural and urban, one published commune or many
POVERTY_EPCI = (
    SEPT_VALLEES,  # CC des 7 Vallées: 34,0 % before, from its single published commune
    SAULNOIS,  # CC du Saulnois
    "200090751",  # CA Grand Calais Terres et Mers
    "200046977",  # Métropole de Lyon (MET69)
    "243300316",  # Bordeaux Métropole
    "200093201",  # Métropole européenne de Lille
    "243100518",  # Toulouse Métropole
    "200040715",  # Grenoble-Alpes-Métropole
    "200066926",  # CA Grand Auch Cœur de Gascogne
    "200059889",  # CU Grand Paris Seine et Oise
    "200041994",  # CC Haut Val de Sèvre
    "249740093",  # CIREST (La Réunion)
    "200066389",  # CA Saint-Lô Agglo
    "200070167",  # CC Terres de Perche
)


def _json(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def raw() -> dict:
    """The raw files, read with plain pandas: comparateur, COG 2025 communes and EPCI composition."""
    mirror = mirror_or_skip()
    comp = pd.read_csv(
        mirror / "insee-comparateur-2022/base_cc_comparateur.csv.gz",
        sep=";",
        dtype={"CODGEO": str},
        low_memory=False,
    )
    comp = comp[~comp["CODGEO"].str.match(ARRONDISSEMENT)].copy()
    for col in ("P18_POP", "NBMENFISC19", "MED19", "TP6019"):
        comp[col] = pd.to_numeric(comp[col], errors="coerce")
    communes = [
        c
        for c in _json(mirror / "decoupage-administratif/5.3.0/communes.json.gz")
        if c["type"] == "commune-actuelle" and c.get("zone") != "com"
    ]
    epci = _json(mirror / "decoupage-administratif/5.3.0/epci.json.gz")
    return {"comp": comp, "communes": communes, "epci": epci}


@pytest.fixture(scope="module")
def values(base) -> pd.DataFrame:
    v = base.values.copy()
    for col in ("level", "indicator", "statut"):
        v[col] = v[col].astype(object)
    return v


def _value(values: pd.DataFrame, level: str, code: str, indicator: str) -> pd.Series:
    row = values[(values["level"] == level) & (values["code"] == code) & (values["indicator"] == indicator)]
    assert len(row) == 1, (level, code, indicator)
    return row.iloc[0]


# ------------------------------------------------------------------------------------------ poverty


def _own_poverty(raw: dict) -> pd.DataFrame:
    """Poverty per EPCI: published TP6019, else an isotonic estimate from MED19 learnt on published
    communes of at most 2,000 ménages fiscaux; mean weighted by NBMENFISC19; coverage = population
    (2023) of the communes wholly published."""
    comp = raw["comp"]
    train = comp[comp["TP6019"].notna() & comp["MED19"].notna() & (comp["NBMENFISC19"] <= 2000)]
    train = train.sort_values("MED19", kind="stable")
    fitted = isotonic_regression(train["TP6019"].to_numpy() / 100, increasing=False).x
    curve = pd.Series(fitted).groupby(train["MED19"].to_numpy()).mean()
    estimate = np.interp(comp["MED19"], curve.index, curve.to_numpy())
    rate = (comp["TP6019"] / 100).where(comp["TP6019"].notna(), pd.Series(estimate, index=comp.index))
    rate = rate.where(comp["TP6019"].notna() | comp["MED19"].notna())
    current = {c["code"]: c["code"] for c in raw["communes"]}
    for c in raw["communes"]:
        for old in c.get("anciensCodes", []):
            current[old] = c["code"]
    member = {m["code"]: e["code"] for e in raw["epci"] for m in e["membres"]}
    frame = pd.DataFrame(
        {
            "commune": comp["CODGEO"].map(current),
            "rate": rate,
            "w": comp["NBMENFISC19"],
            "published": comp["TP6019"].notna(),
        }
    ).dropna(subset=["commune"])
    frame["epci"] = frame["commune"].map(member)
    ok = frame["rate"].notna() & frame["w"].notna()
    value = (frame["rate"] * frame["w"]).where(ok).groupby(frame["epci"]).sum() / frame["w"].where(
        ok
    ).groupby(frame["epci"]).sum()
    # a commune is covered when every source commune behind it is published
    published = frame.groupby("commune")["published"].all()
    population = pd.Series({c["code"]: c.get("population", 0) for c in raw["communes"]})
    pop = population.reindex(published.index).fillna(0)
    epci_of = published.index.map(member)
    covered = pop.where(published, 0).groupby(epci_of).sum()
    total = population.groupby(population.index.map(member)).sum()
    return pd.DataFrame({"value": value, "coverage": (covered / total).reindex(value.index)})


def test_poverty_recomputed_from_raw_files(raw, base, values):
    own = _own_poverty(raw)
    for code in POVERTY_EPCI:
        got = _value(values, "epci", code, "taux_pauvrete")
        assert got["value"] == pytest.approx(own.at[code, "value"], abs=0.002), code  # 0.2 pt
        assert got["coverage"] == pytest.approx(own.at[code, "coverage"], abs=0.01), code
        expected = "complet" if own.at[code, "coverage"] >= 0.8 else "estimé"
        assert got["statut"] == expected, code
    cv = base.report["estimation_pauvrete"]["validation_croisee"]  # stated in methode.md
    assert cv["n"] == 2005 and abs(cv["bias_pt"]) < 0.05 and cv["mae_pt"] == pytest.approx(1.76, abs=0.05)
    seven = _value(values, "epci", SEPT_VALLEES, "taux_pauvrete")
    assert 0.18 < seven["value"] < 0.19 and seven["statut"] == "estimé"  # 34,0 % before


def test_poverty_missing_reasons_come_from_the_data(values):
    """Mayotte has no comparateur data, Guadeloupe and Guyane no Filosofi: not 'secret statistique'."""
    for dep in ("971", "973", "976"):
        assert _value(values, "departement", dep, "taux_pauvrete")["statut"] == "non couvert par la source"
    assert _value(values, "departement", "976", "taux_chomage")["statut"] == "non couvert par la source"
    assert _value(values, "departement", "971", "taux_chomage")["statut"] == "complet"
    # a small metropolitan commune under secrecy
    secret = values[
        (values["level"] == "commune") & (values["indicator"] == "taux_pauvrete") & values["value"].isna()
    ]
    assert (secret["statut"] == "secret statistique").sum() > 20_000


# ------------------------------------------------------------------------------------------ composite


def test_mayotte_composite_has_one_input_of_six_and_no_score(raw, values):
    mirror = mirror_or_skip()
    comp = raw["comp"]
    d4g = pd.read_csv(
        mirror / "d4g-batch8-2020/rp2017_communes_indicateurs_ifn.csv", dtype={"CODE_INSEE": str}
    )
    ifn = pd.read_csv(mirror / "ifn-mednum-2023/ifn_communes_2023-08.csv", dtype={"code": str})
    mayotte = comp["CODGEO"].str.startswith("976")
    inputs = {
        "ifn_sans_thd": pd.to_numeric(ifn.loc[ifn["code"].str.startswith("976"), "no_thd_coverage_rate"])
        .ge(1)
        .any(),
        "taux_pauvrete": comp.loc[mayotte, ["TP6019", "MED19"]].notna().any().any(),
        "taux_chomage": pd.to_numeric(comp.loc[mayotte, "P18_CHOM1564"], errors="coerce").notna().any(),
        "part_peu_diplomes": d4g["CODE_INSEE"].str.startswith("976").any(),
        "part_65_plus": d4g["CODE_INSEE"].str.startswith("976").any(),
        "part_menages_seuls": d4g["CODE_INSEE"].str.startswith("976").any(),
    }
    assert sum(inputs.values()) == 1 and inputs["ifn_sans_thd"]
    for level, code in [("epci", GRAND_NORD_MAYOTTE), ("departement", "976"), ("region", "06")]:
        row = _value(values, level, code, "indice_composite")
        assert np.isnan(row["value"]), (level, code)
        assert row["note"] == "Indice non calculé : 1 indicateur disponible sur 6 (il en faut au moins 4)."
    scored = values[(values["level"] == "epci") & (values["indicator"] == "indice_composite")]
    assert scored["value"].isna().sum() == len(MAYOTTE_EPCI)
    france = _value(values, "france", "FR", "indice_composite")
    assert 40 < france["value"] < 60


def test_composite_uses_the_2023_thd_signal_not_arcep_2019(base):
    from indicateurs.analysis.scores import default_composite_indicators

    assert (
        "ifn_sans_thd" in default_composite_indicators() and "part_thd" not in default_composite_indicators()
    )
    from indicateurs.reference.registry import get_indicator

    wide = base.wide("epci")

    assert "2019" in get_indicator("part_thd").short and "2019" in get_indicator("part_thd").label
    assert wide["indice_composite"].notna().sum() == 1250


# ------------------------------------------------------------------------------------------ places


def test_aidants_connect_in_saulnois_recomputed_from_raw(raw, base, values):
    mirror = mirror_or_skip()
    ac = pd.read_csv(mirror / "aidants-connect/aidants_connect_structures_2024-02.csv", dtype=str)
    ac = ac[ac["Is Active"].str.lower() == "true"]
    postcode = ac["Zip Code"].str.replace(r"\.0$", "", regex=True).str.zfill(5)
    code = ac["City Insee Code"].str.replace(r"\.0$", "", regex=True).str.zfill(5)
    saulnois = {m["code"] for e in raw["epci"] if e["code"] == SAULNOIS for m in e["membres"]}
    in_saulnois = code.isin(saulnois)
    assert (code == MOYENVIC).sum() == 31  # the source puts 31 structures in Moyenvic (311 inhabitants)
    assert not postcode[code == MOYENVIC].str.startswith("57").any()  # none of them has a Moselle postcode
    # kept: a Saulnois code whose postcode is in Moselle (a structure of the Saulnois) ...
    kept = in_saulnois & postcode.str.startswith("57")
    # ... plus structures coded elsewhere whose postcode names only Saulnois communes
    pc_communes: dict[str, set[str]] = {}
    for c in raw["communes"]:
        for pc in c.get("codesPostaux") or []:
            pc_communes.setdefault(pc, set()).add(c["code"])
    moved_in = ~in_saulnois & postcode.map(lambda p: bool(pc_communes.get(p)) and pc_communes[p] <= saulnois)
    expected = int(kept.sum() + moved_in.sum())
    got = _value(values, "epci", SAULNOIS, "nb_structures_aidants_connect")["value"]
    assert got == expected == 6
    assert _value(values, "commune", MOYENVIC, "nb_structures_aidants_connect")["value"] == 0
    lieux = _value(values, "epci", SAULNOIS, "lieux_pour_10000")["value"]
    assert lieux == pytest.approx(3.2, abs=0.1)  # 14,3 before (7th of 1,255)
    placement = pd.DataFrame(base.report["placement"])
    moyenvic = placement[placement["commune_source"].str.startswith(MOYENVIC)]
    assert len(moyenvic) == 31
    assert set(moyenvic["action"]) <= {
        "commune corrigée d'après le code postal",
        "écarté : commune incompatible avec le code postal",
    }


# ------------------------------------------------------------------------------------------ coverage


def test_no_thin_value_is_shown_ranked_or_exported_as_a_plain_figure(base, values, tmp_path):
    from indicateurs.analysis.scores import ranks
    from indicateurs.cli.main import main
    from indicateurs.reference.registry import get_indicator

    above = values[values["level"] != "commune"]
    mins = above["indicator"].map(lambda i: get_indicator(i).min_coverage)
    thin = above[(above["coverage"].fillna(0) < mins) & (above["indicator"] != "indice_composite")]
    assert len(thin) > 1000
    shown = thin[thin["value"].notna()]
    assert (shown["statut"] == "estimé").all()  # a thin value is either an estimate, flagged...
    assert set(thin.loc[thin["value"].isna(), "statut"]) <= {  # ... or not a number at all
        "couverture insuffisante",
        "non couvert par la source",
        "secret statistique",
        "non disponible",
    }
    # ranks: a value left out for want of coverage has no rank
    epci = base.wide("epci")
    out_codes = thin.loc[
        (thin["level"] == "epci") & thin["value"].isna() & (thin["indicator"] == "revenu_median"), "code"
    ]
    assert len(out_codes) > 0
    r = ranks(epci, "revenu_median")
    assert r.loc[list(out_codes), "rang"].isna().all()
    # export: the detail file says « estimé » or why there is no number
    out = tmp_path / "epci.csv"
    assert main(["export", "--level", "epci", "--out", str(out), "--format", "plain"]) == 0
    detail = pd.read_csv(tmp_path / "epci-detail.csv", dtype={"code": str})
    merged = detail.merge(
        thin[thin["level"] == "epci"][["code", "indicator"]],
        left_on=["code", "indicateur"],
        right_on=["code", "indicator"],
    )
    assert len(merged) > 1000
    ok = merged["valeur_affichee"].str.contains(r"estimé|non disponible|non couverte|secret", regex=True)
    assert ok.all()
    row = detail[(detail["code"] == SEPT_VALLEES) & (detail["indicateur"] == "taux_pauvrete")].iloc[0]
    assert row["valeur_affichee"] == "18,7\u00a0% (estimé)" and row["statut"] == "estimé"
    assert re.match(r"fraction", row["unite"]) and row["millesime"] == "Filosofi 2019"
    meta = pd.read_csv(tmp_path / "epci-indicateurs.csv")
    assert meta.set_index("indicateur").at["part_65_plus", "denominateur"].startswith("population de 15 ans")


def test_population_vintage_of_mayotte_is_said(values):
    assert "2017" in _value(values, "epci", GRAND_NORD_MAYOTTE, "population")["note"]
    assert "2017" in _value(values, "departement", "976", "population")["note"]
    assert _value(values, "departement", "971", "population")["note"] == ""


def test_illectronism_old_epci_code_mapped(values):
    row = _value(values, "epci", "200090751", "taux_illectronisme")
    assert row["value"] == pytest.approx(0.172) and "246201149" in row["note"]
