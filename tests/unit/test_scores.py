"""Scores on tiny hand-made frames with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from indicateurs.analysis.scores import (
    composite_index,
    ifn_classe_nationale,
    people_concerned,
    ranks,
    robustness,
    robustness_sentence,
    round_sensibly,
    sentence,
)


def frame(n: int = 10) -> pd.DataFrame:
    """n EPCI where territory i has rates growing with i (and THD coverage falling with i):
    the last one is the most fragile on every indicator."""
    i = np.arange(n, dtype=float)
    codes = [f"2000000{k:02d}" for k in range(n)]
    return pd.DataFrame(
        {
            "nom": [f"CC {k}" for k in range(n)],
            "population": 1000.0 * (i + 1),
            "part_thd": 0.9 - 0.05 * i,
            "ifn_sans_thd": 1 + 0.5 * i,
            "taux_pauvrete": 0.10 + 0.01 * i,
            "taux_chomage": 0.05 + 0.005 * i,
            "part_peu_diplomes": 0.20 + 0.02 * i,
            "part_65_plus": 0.15 + 0.02 * i,
            "part_menages_seuls": 0.25 + 0.01 * i,
            "revenu_median": 25000 - 500 * i,
            "densite": 10.0 * (i + 1),
            "ifn": 1 + i,
            "region": ["75"] * (n // 2) + ["84"] * (n - n // 2),
        },
        index=pd.Index(codes, name="code"),
    )


CODES = frame().index


# --- ranks -----------------------------------------------------------------------------------


def test_ranks_known_answer():
    r = ranks(frame(), "taux_pauvrete")
    assert r["rang"].tolist() == list(range(10, 0, -1))  # highest poverty = rank 1
    assert r["decile"].tolist() == list(range(1, 11))  # 10 distinct values: one per decile
    assert r["percentile"].tolist() == pytest.approx([100 * k / 9 for k in range(10)])
    assert set(r["n_classes"]) == {10}
    assert set(r["n_manquants"]) == {0}


def test_ranks_direction_minus_one_reverses():
    # THD coverage falls with i: the last territory (least covered) is the most fragile
    r = ranks(frame(), "part_thd")
    assert r.loc[CODES[-1], "rang"] == 1
    assert r.loc[CODES[0], "decile"] == 1
    assert r.loc[CODES[0], "valeur"] == pytest.approx(0.9)  # raw value kept, not the oriented one


def test_ranks_missing_excluded_and_counted_never_zero():
    wide = frame()
    wide.loc[CODES[9], "taux_pauvrete"] = np.nan
    r = ranks(wide, "taux_pauvrete")
    assert pd.isna(r.loc[CODES[9], "rang"])
    assert pd.isna(r.loc[CODES[9], "decile"])
    assert r.loc[CODES[8], "rang"] == 1
    assert set(r["n_classes"]) == {9}
    assert set(r["n_manquants"]) == {1}
    assert (r["rang"].dropna() >= 1).all()


def test_ranks_ties_share_the_best_rank():
    wide = frame(4)
    wide["taux_pauvrete"] = [0.1, 0.2, 0.2, 0.3]
    r = ranks(wide, "taux_pauvrete")
    assert r["rang"].tolist() == [4, 2, 2, 1]


def test_ranks_regional():
    r = ranks(frame(), "taux_pauvrete", region="region")
    assert r["rang_region"].tolist() == [5, 4, 3, 2, 1, 5, 4, 3, 2, 1]
    assert set(r["n_classes_region"]) == {5}
    assert r.loc[CODES[0], "region"] == "75"


def test_ranks_of_a_series_and_input_not_mutated():
    wide = frame()
    before = wide.copy()
    res = composite_index(wide)
    r = ranks(wide, res.score)
    assert r.loc[CODES[-1], "rang"] == 1
    pd.testing.assert_frame_equal(wide, before)


def test_ifn_classe_nationale_is_a_decile():
    wide = frame(20)
    cls = ifn_classe_nationale(wide)
    assert cls.min() == 1 and cls.max() == 10
    assert cls.value_counts().eq(2).all()


# --- composite index ---------------------------------------------------------------------------


def test_composite_default_indicators_and_bounds():
    res = composite_index(frame())
    assert res.indicators == [
        "ifn_sans_thd",
        "taux_pauvrete",
        "taux_chomage",
        "part_peu_diplomes",
        "part_65_plus",
        "part_menages_seuls",
    ]
    # every indicator is monotone in i, so the score is exactly the percentile of i
    assert res.score.tolist() == pytest.approx([100 * k / 9 for k in range(10)])
    assert res.weights.sum() == pytest.approx(1)


def test_composite_contributions_sum_to_score():
    wide = frame()
    wide["taux_chomage"] = wide["taux_chomage"].to_numpy()[::-1]  # make the indicators disagree
    res = composite_index(wide, weights={"taux_pauvrete": 3, "ifn_sans_thd": 1, "taux_chomage": 2})
    assert res.contributions.sum(axis=1).to_numpy() == pytest.approx(res.score.to_numpy())
    # unlisted indicators in a weight mapping get weight 0
    assert res.weights["part_65_plus"] == 0


def test_composite_weighted_mean_known_answer():
    wide = frame(3)
    wide["taux_chomage"] = [0.3, 0.2, 0.1]  # percentiles 100, 50, 0
    res = composite_index(wide, ["taux_pauvrete", "taux_chomage"], [3, 1])  # pauvreté: 0, 50, 100
    assert res.score.tolist() == pytest.approx([0.25 * 100, 50, 0.75 * 100])
    assert res.contributions.loc[CODES[0], "taux_chomage"] == pytest.approx(25)


def test_composite_missing_renormalises_and_counts():
    wide = frame(3)
    wide["taux_chomage"] = [0.3, np.nan, 0.1]
    res = composite_index(wide, ["taux_pauvrete", "taux_chomage"], min_inputs=1)
    assert math.isnan(composite_index(wide, ["taux_pauvrete", "taux_chomage"]).score.iloc[1])  # 2 of 2 needed
    # territory 1: only pauvreté (percentile 50) -> score 50, not (50 + 0) / 2
    assert res.score.iloc[1] == pytest.approx(50)
    assert res.n_missing.tolist() == [0, 1, 0]
    assert math.isnan(res.contributions.iloc[1]["taux_chomage"])
    assert res.contributions.iloc[1].sum() == pytest.approx(50)


def test_composite_all_missing_gives_nan_never_zero():
    wide = frame(3)
    wide.loc[CODES[0], ["taux_pauvrete", "taux_chomage"]] = np.nan
    res = composite_index(wide, ["taux_pauvrete", "taux_chomage"])
    assert math.isnan(res.score.iloc[0])
    assert res.n_missing.iloc[0] == 2
    assert pd.isna(res.table()["rang"].iloc[0])


def test_composite_within_region():
    res = composite_index(frame(), ["taux_pauvrete"], within="region")
    assert res.score.tolist() == pytest.approx([0, 25, 50, 75, 100] * 2)
    assert res.within


def test_composite_monotonic_worsening_never_improves():
    rng = np.random.default_rng(1)
    for _ in range(30):
        wide = frame(12)
        for col in ["ifn_sans_thd", "taux_pauvrete", "taux_chomage", "part_peu_diplomes", "part_65_plus"]:
            wide[col] = rng.uniform(0, 1, len(wide))
        wide.loc[wide.index[rng.integers(12)], "taux_chomage"] = np.nan
        before = composite_index(wide).score
        code = wide.index[rng.integers(12)]
        col = rng.choice(["ifn_sans_thd", "taux_pauvrete", "part_65_plus"])
        worse = wide.copy()
        step = rng.uniform(0.01, 0.5)
        worse.loc[code, col] += step  # every default input: higher is more fragile
        after = composite_index(worse).score
        assert after[code] >= before[code] - 1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"indicators": ["taux_pauvretee"]}, "taux_pauvrete"),  # typo: close match suggested
        ({"indicators": ["densite"]}, "contexte"),  # no direction
        ({"indicators": ["taux_illectronisme"]}, "pas disponible"),  # not a column here
        ({"indicators": ["taux_pauvrete"], "weights": [-1]}, "positifs"),
        ({"indicators": ["taux_pauvrete"], "weights": [0]}, "non nul"),
        ({"indicators": ["taux_pauvrete"], "weights": [1, 2]}, "poids"),
        ({"indicators": []}, "au moins un"),
    ],
)
def test_composite_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        composite_index(frame(), **kwargs)


# --- people concerned ----------------------------------------------------------------------------


def test_round_sensibly():
    assert [round_sensibly(x) for x in (7.4, 347, 12345, 987654)] == [7, 350, 12000, 990000]
    assert math.isnan(round_sensibly(float("nan")))


def test_people_concerned_population_and_approximations():
    wide = frame(3)
    out = people_concerned(wide, None, "taux_pauvrete")
    assert out["nombre"].tolist() == [100, 220, 360]  # 10 % of 1 000, 11 % of 2 000, 12 % of 3 000
    assert out["unite"].iloc[0] == "personnes" and out["note"].iloc[0] == ""
    approx = people_concerned(wide, None, "part_65_plus")
    assert "82 % de la population" in approx["note"].iloc[0]
    # 15 % of the 15+ (82 % of 1 000 people), not of all 1 000 people
    assert approx["nombre"].iloc[0] == 120  # 0.15 × 820 = 123, rounded to the ten
    menages = people_concerned(wide, None, "part_menages_seuls")
    assert menages["nombre"].iloc[0] == round_sensibly(0.25 * 1000 * 0.446)
    assert "ménages" in menages["note"].iloc[0]


def test_people_concerned_uses_the_real_count_and_complement():
    wide = frame(3).assign(menages=[500.0, 800.0, 1000.0], locaux=[1000.0, 2000.0, 4000.0])
    out = people_concerned(wide, None, "part_menages_seuls")
    assert out["nombre"].tolist() == [120, 210, 270]  # 25 %, 26 %, 27 % of the households, rounded
    assert out["note"].iloc[0] == ""
    thd = people_concerned(wide, None, "part_thd", codes=[CODES[0]])
    assert thd["nombre"].tolist() == [100]  # 10 % of 1 000 premises not covered
    assert "complément" in thd["note"].iloc[0]


def test_people_concerned_from_territories_and_missing():
    wide = frame(3).drop(columns="population")
    wide.loc[CODES[1], "taux_pauvrete"] = np.nan
    terr = pd.DataFrame(
        {"level": ["epci"] * 3 + ["commune"], "code": [*CODES[:3], "01001"], "population": [10.0, 20, 30, 5]}
    )
    out = people_concerned(wide, terr, "taux_pauvrete")
    assert out["nombre"].tolist()[0] == 1
    assert pd.isna(out["nombre"].iloc[1])
    assert out["texte"].tolist()[1] == "donnée non disponible (secret statistique)"
    assert people_concerned(frame(3), None, "taux_pauvrete")["texte"].iloc[2] == "environ 360 personnes"
    no_premises = people_concerned(frame(3), None, "part_thd")
    assert no_premises["texte"].iloc[0] == "estimation impossible" and pd.isna(no_premises["nombre"].iloc[0])
    with pytest.raises(ValueError, match="pas un taux"):
        people_concerned(frame(), None, "ifn")


# --- robustness ---------------------------------------------------------------------------------


def test_robustness_dominant_territory_is_stable():
    wide = frame(20)
    rob = robustness(wide, wide.index[-1], n_draws=200)
    assert rob.rank == 1 and rob.rank_min == 1 and rob.rank_max == 1
    assert rob.rank_without.eq(1).all()
    assert len(rob.draw_ranks) == 200
    text = robustness_sentence(rob)
    assert text.startswith("Classé 1er sur 20 EPCI")
    assert "reste dans les 5 % les plus fragiles quelle que soit la pondération" in text


def test_robustness_unstable_territory_says_prudence():
    wide = frame(20)
    code = wide.index[10]
    # fragile on poverty only, sheltered elsewhere: the rank depends on the weights
    wide.loc[code, "taux_pauvrete"] = 0.9
    for col in ["taux_chomage", "part_peu_diplomes", "part_65_plus", "part_menages_seuls"]:
        wide.loc[code, col] = 0.0
    wide.loc[code, "ifn_sans_thd"] = 1.0  # least fragile THD class
    rob = robustness(wide, code, n_draws=300, seed=3)
    assert rob.rank_without["taux_pauvrete"] == 20
    assert rob.rank_max - rob.rank_min >= 5
    assert "prudence" in robustness_sentence(rob)
    assert robustness(wide, code, n_draws=300, seed=3).draw_ranks.tolist() == rob.draw_ranks.tolist()


def test_robustness_bad_code_suggests():
    with pytest.raises(ValueError, match="Vouliez-vous dire : 200000001"):
        robustness(frame(), "20000001")
    with pytest.raises(ValueError, match="CC 3"):
        robustness(frame(), "CC 33")


# --- sentences ---------------------------------------------------------------------------------


def test_sentence_known_answer():
    text = sentence(frame(), CODES[8], "part_65_plus")
    assert text.startswith(
        "31,0\u00a0% de 65 ans et plus (parmi les 15 ans ou plus) : plus que 88 % des EPCI de France ("
    )
    assert "RP 2017" in text
    low = sentence(frame(), CODES[0], "taux_pauvrete", level_label="commune")
    assert "moins que 100 % des communes de France" in low


def test_sentence_missing_value_says_why():
    wide = frame()
    wide.loc[CODES[2], "taux_pauvrete"] = np.nan
    text = sentence(wide, CODES[2], "taux_pauvrete")
    assert "secret statistique" in text and "nan" not in text and " 0 " not in text
    assert "Filosofi 2019" in text


def test_sentence_unknown_indicator_and_level():
    with pytest.raises(ValueError, match="part_65_plus"):
        sentence(frame(), CODES[0], "part_65plus")
    with pytest.raises(ValueError, match=r"Niveau inconnu.*epci"):
        sentence(frame(), CODES[0], "part_65_plus", level_label="epcis")
    assert "des départements de France" in sentence(frame(), CODES[0], "part_65_plus", "departement")


def test_method_page_is_french_and_covers_the_method():
    from indicateurs.analysis.scores import method_page

    text = method_page()
    for words in (
        "pondérée par leur",
        "secret statistique",
        "pas un décompte",
        "quelle que soit la pondération",
    ):
        assert words in text


def test_robustness_typical_range_inside_full_range():
    wide = frame(30)
    rng = np.random.default_rng(0)
    for col in ["part_thd", "taux_pauvrete", "taux_chomage", "part_peu_diplomes", "part_65_plus"]:
        wide[col] = rng.uniform(0, 1, len(wide))
    rob = robustness(wide, wide.index[5], n_draws=500)
    low, high = rob.typical_range
    assert rob.rank_min <= low <= high <= rob.rank_max
    if "prudence" in robustness_sentence(rob):
        assert "dans 9 cas sur 10" in robustness_sentence(rob)


def test_summary_one_row_per_oriented_indicator():
    from indicateurs.analysis.scores import summary

    wide = frame()
    wide.loc[CODES[9], "taux_pauvrete"] = np.nan
    out = summary(wide, CODES[9], region="region")
    assert "densite" not in out.index and "population" not in out.index  # context: no direction
    assert out.loc["part_65_plus", "rang"] == 1 and out.loc["part_65_plus", "rang_region"] == 1
    assert pd.isna(out.loc["taux_pauvrete", "rang"]) and out.loc["taux_pauvrete", "n_manquants"] == 1
    assert out.loc["taux_pauvrete", "valeur_texte"] == "donnée non disponible (secret statistique)"
    assert out.loc["ifn", "decile"] == 10
    assert out["source"].str.contains(r"\(").all()


def test_region_codes_from_territories():
    from indicateurs.analysis.scores import region_codes

    terr = pd.DataFrame(
        {
            "level": ["epci", "epci", "commune"],
            "code": ["200000001", "200000002", "01001"],
            "region": ["84", "75", "84"],
        }
    )
    assert region_codes(terr, "epci").to_dict() == {"200000001": "84", "200000002": "75"}
    with pytest.raises(ValueError, match=r"Niveau inconnu.*epci"):
        region_codes(terr, "epic")


def test_one_rank_for_profile_maps_and_workshop_evidence():
    """scores.ranks (profile, compare), maps.rank (tooltips, value table) and evidence_for (workshop)
    all read fragility_rank: same numbers, ties sharing the best rank, missing never ranked."""
    from indicateurs.analysis.scores import fragility_rank
    from indicateurs.atelier.evidence import evidence_for
    from indicateurs.reference.registry import get_indicator
    from indicateurs.render import maps

    wide = pd.DataFrame(
        {
            "nom": list("ABCDE"),
            "part_thd": [0.9, 0.5, np.nan, 0.5, 0.7],
            "part_65_plus": [0.3, 0.2, 0.4, 0.2, 0.1],
        },
        index=["a", "b", "c", "d", "e"],
    )
    for ind_id, expected in (("part_thd", [4, 1, None, 1, 3]), ("part_65_plus", [2, 3, 1, 3, 5])):
        ind = get_indicator(ind_id)
        want = pd.array(expected, dtype="Int64")
        assert fragility_rank(wide[ind_id], ind.direction).array.tolist() == list(want)
        assert ranks(wide, ind_id)["rang"].array.tolist() == list(want)
        assert maps.rank(wide[ind_id], ind).array.tolist() == list(want)
        for code, rank in zip(wide.index, expected, strict=True):
            assert evidence_for(wide, ind_id, "epci", code).rank == rank
    groups = pd.Series(["r1", "r1", "r2", "r2", "r2"], index=wide.index)
    assert fragility_rank(wide["part_65_plus"], 1, groups).tolist() == [1, 2, 1, 2, 3]


# ---------------------------------------------------------------- #14: minimum inputs, ties


def test_composite_needs_four_inputs_of_six():
    from indicateurs.analysis.scores import composite_index, default_composite_indicators

    ids = default_composite_indicators()
    assert len(ids) == 6 and "ifn_sans_thd" in ids and "part_thd" not in ids
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.random((10, 6)), columns=ids, index=[f"t{i}" for i in range(10)])
    wide.loc["t0", ids[1:]] = np.nan  # one input of six
    wide.loc["t1", ids[:2]] = np.nan  # four of six
    res = composite_index(wide)
    assert np.isnan(res.score["t0"])
    assert res.reason["t0"] == "Indice non calculé : 1 indicateur disponible sur 6 (il en faut au moins 4)."
    assert res.score["t1"] == pytest.approx(res.percentiles.loc["t1", ids[2:]].mean())
    assert res.reason["t1"] == ""


def test_float_noise_does_not_split_ties():
    from indicateurs.analysis.scores import ranks

    wide = pd.DataFrame(
        {"nom": list("abc"), "taux_chomage": [0.16, 0.16000000000000003, 0.1]}, index=list("abc")
    )
    r = ranks(wide, "taux_chomage")
    assert r.loc["a", "rang"] == r.loc["b", "rang"] == 1
    assert r.loc["a", "percentile"] == r.loc["b", "percentile"] == 75.0
