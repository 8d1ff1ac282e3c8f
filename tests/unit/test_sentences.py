"""Every sentence generator says what its percentile or rank says, for an indicator of each direction.

Pays Basque (200067106): its THD coverage (direction -1, higher is better) beats 82.5 % of EPCI, so its
fragility percentile is 17.5: a strength. Its share of people aged 65+ (direction +1) at a fragility
percentile of 90 is a fragility.
"""

from __future__ import annotations

import pandas as pd

from indicateurs.analysis.profile import _summary


def _key(rows: dict[str, tuple[float, str, float]]) -> pd.DataFrame:
    """Key figures as `_key_figures` returns them: national_pct already oriented (100 = most fragile)."""
    frame = pd.DataFrame(
        [
            {"indicator": i, "value": v, "display": d, "national_pct": p, "regional_pct": p}
            for i, (v, d, p) in rows.items()
        ]
    )
    return frame.set_index("indicator", drop=False)


PAYS_BASQUE = _key(
    {
        "ifn": (5.2, "5,2", 60.0),
        "part_thd": (58.3, "58,3 %", 17.5),  # coverage beats 82.5 % of EPCI: a strength
        "part_65_plus": (31.0, "31,0 %", 90.0),  # older than 90 % of EPCI: a fragility
    }
)


def _line(lines: list[str], start: str) -> str:
    return next((line for line in lines if line.startswith(start)), "")


def test_summary_calls_a_high_coverage_a_strength():
    lines = _summary(PAYS_BASQUE, "epci")
    assert "THD" in _line(lines, "Points d'appui")
    assert "THD" not in _line(lines, "Fragilités")


def test_summary_calls_a_high_share_of_elderly_a_fragility():
    lines = _summary(PAYS_BASQUE, "epci")
    assert "65 ans et plus (31,0 %)" in _line(lines, "Fragilités")
    assert "65 ans" not in _line(lines, "Points d'appui")


def test_summary_low_coverage_is_a_fragility():
    key = _key({"part_thd": (12.0, "12,0 %", 95.0), "taux_pauvrete": (8.0, "8,0 %", 10.0)})
    lines = _summary(key, "epci")
    assert "THD" in _line(lines, "Fragilités")
    assert "pauvreté (8,0 %)" in _line(lines, "Points d'appui")


def test_summary_ifn_sentence_quotes_its_percentile():
    lines = _summary(PAYS_BASQUE, "epci")
    assert _line(lines, "Indice de fragilité numérique") == (
        "Indice de fragilité numérique : 5,2\u00a0/\u00a010 ; il est plus élevé que dans 60 % des EPCI."
    )


# ---------------------------------------------------------------- workshop evidence


def _epci_wide(n: int = 1250) -> pd.DataFrame:
    """`n` EPCI; the first has the highest THD coverage and the highest share of 65+."""
    codes = ["200067106", *(f"2{i:08d}" for i in range(1, n))]
    return pd.DataFrame(
        {
            "part_thd": [0.99, *[0.5 - i * 1e-4 for i in range(1, n)]],
            "part_65_plus": [0.4, *[0.2 - i * 1e-4 for i in range(1, n)]],
        },
        index=pd.Index(codes, name="code"),
    )


def test_evidence_rank_of_a_high_coverage_is_the_least_fragile():
    from indicateurs.atelier.evidence import describe_evidence, evidence_for

    thd = evidence_for(_epci_wide(), "part_thd", "epci", "200067106")
    assert (thd.rank, thd.rank_total) == (1250, 1250)
    text = describe_evidence(thd, "CA du Pays Basque")
    assert "rang 1\u202f250 sur 1\u202f250 EPCI, 1 = le plus fragile" in text
    elderly = evidence_for(_epci_wide(), "part_65_plus", "epci", "200067106")
    assert "rang 1 sur 1\u202f250 EPCI" in describe_evidence(elderly)


def test_evidence_names_the_territory_never_its_code():
    from indicateurs.atelier.evidence import describe_evidence, evidence_for, key_figures

    ev = evidence_for(_epci_wide(), "part_65_plus", "epci", "200067106")
    text = describe_evidence(ev, "CA du Pays Basque")
    assert "200067106" not in text and "niveau" not in text
    assert text.endswith("chiffre de l'EPCI CA du Pays Basque")
    assert "200067106" not in describe_evidence(ev)
    (figure,) = key_figures(_epci_wide(), "epci", "200067106", ["part_thd"])
    assert figure.value.endswith("(rang 1\u202f250/1\u202f250)")  # grouped as everywhere else


def test_explain_sentence_of_a_high_coverage_says_higher():
    from indicateurs.analysis.scores import sentence

    text = sentence(_epci_wide(), "200067106", "part_thd")
    assert text.startswith("99,0\u00a0% de locaux en THD : plus que 100 % des EPCI de France")
