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
    assert "65 ans et plus" in _line(lines, "Fragilités") and "(31,0 %)" in _line(lines, "Fragilités")
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
    assert text.startswith("99,0\u00a0% de locaux en THD") and ": plus que 100 % des EPCI de France" in text


# ---------------------------------------------------------------- one description per method (item 2)


def test_peer_method_names_the_features_peers_use():
    from indicateurs.analysis.scores import PEER_FEATURES, peer_method
    from indicateurs.reference.registry import get_indicator

    text = peer_method()
    assert "cinq caractéristiques" in text and len(PEER_FEATURES) == 5
    for feature in PEER_FEATURES:
        assert get_indicator(feature).short.lower() in text.lower()
    assert "composite" not in text and "population" not in text


def test_pdf_and_sources_page_describe_the_same_peers():
    from pathlib import Path

    import indicateurs.reference as reference
    from indicateurs.analysis.scores import peer_method
    from indicateurs.render import pdf

    assert peer_method() in pdf._METHOD
    assert "indicateurs de l'indice composite et la population" not in pdf._METHOD
    methode = (Path(reference.__file__).parent / "methode.md").read_text(encoding="utf-8").lower()
    section = " ".join(methode.split("territoires qui vous ressemblent**")[1].split("###")[0].split())
    for words in ("densité", "65 ans et plus", "peu diplômés", "revenu médian", "pauvreté", "logarithme"):
        assert words in section


def test_pdf_says_centile_not_pctl():
    from indicateurs.render import pdf

    headers = [h for h, _w, _a in pdf._COLUMNS]
    assert not any("Pctl" in h for h in headers)
    assert sum(w for _h, w, _a in pdf._COLUMNS) == 186  # the page width is unchanged


def test_robustness_sentence_says_its_rank_is_national_and_of_which_score():
    from indicateurs.analysis.scores import robustness, robustness_sentence

    wide = _epci_wide(40).assign(taux_pauvrete=[0.3 - i * 1e-3 for i in range(40)])
    rob = robustness(wide, "200067106", ["part_65_plus", "taux_pauvrete"], n_draws=20)
    text = robustness_sentence(rob, "EPCI", score="selon vos pondérations")
    assert text.startswith("Classé 1er sur 40 EPCI de France selon vos pondérations (1er = le plus fragile)")


def test_screening_stability_quotes_the_national_rank_column():
    from indicateurs.analysis import compare

    wide = _epci_wide(30).assign(
        taux_pauvrete=[0.3 - i * 1e-3 for i in range(30)], nom=[f"EPCI {i}" for i in range(30)]
    )
    kept = list(wide.index[10:14])
    territories = pd.DataFrame(
        {
            "level": "epci",
            "code": kept,
            "nom": [f"EPCI {c}" for c in kept],
            "region": "75",
            "departement": "64",
            "nature": "CA",
            "population": 50000.0,
        }
    )
    screen = compare.screening_table(
        wide, territories, region="75", weights={"part_65_plus": 1, "taux_pauvrete": 1}
    )
    first = screen.iloc[0]
    assert first["rang"] == 1 and first["rang_national"] == 11  # 1st of the table, 11th of France
    nth = f"{first['rang_national']}e"
    assert first["stabilite"].startswith(f"Classé {nth} sur 30 EPCI de France selon vos pondérations")
    shown = compare.screening_display(screen)
    assert {"Rang", "Rang national", "Stabilité du rang national"} <= set(shown.columns)


# ---------------------------------------------------------------- French, and one bracket at a time (item 3)


def test_citations_never_nest_or_double_their_brackets():
    from indicateurs.reference.registry import get_indicator, list_indicators

    for ind in list_indicators():
        assert ") (" not in ind.citation, ind.citation
        depth = 0
        for char in ind.citation:
            depth += {"(": 1, ")": -1}.get(char, 0)
            assert depth <= 1, ind.citation
    assert get_indicator("population").citation == (
        "INSEE, COG 2025 et populations légales (Etalab), populations légales 2023, "
        "en vigueur au 1er janvier 2026"
    )


def test_a_unit_the_label_already_says_is_not_repeated():
    from indicateurs.reference.registry import get_indicator
    from indicateurs.render.charts import axis_title
    from indicateurs.render.maps import legend_html, value_column

    assert axis_title("lieux_pour_10000") == "Lieux / 10 000 hab."
    assert value_column(get_indicator("lieux_pour_10000")) == "Lieux / 10 000 hab."
    assert axis_title("taux_pauvrete") == "Pauvreté (%)"
    from indicateurs.analysis.classify import classify

    classes = classify(pd.Series([0.5, 1.0, 2.0, 3.0]), "quantiles", indicator="lieux_pour_10000")
    assert "(pour 10 000 hab.)" not in legend_html("lieux_pour_10000", classes)


def test_catalogue_speaks_french():
    from indicateurs.reference.catalogue import list_sources

    english = ("to confirm", "not stated", "repository", "edition of", "commit", "built here", "data as of")
    for src in list_sources():
        for text in (src.licence, src.millesime, src.producer):
            assert not any(word in text for word in english), text


def test_french_style_groups_thousands_and_uses_a_decimal_comma():
    from indicateurs.render.tables import french_style

    frame = pd.DataFrame(
        {"Commune": ["Bayonne"], "Population": [54306.0], "Lieux pour 10 000 hab.": [16.08], "Vide": [None]}
    ).astype({"Vide": float})
    html = french_style(frame).to_html()
    assert "54\u202f306" in html and "16,1" in html
    assert "54306" not in html and "16.1" not in html
    assert "donnée non disponible" in html
    assert frame["Population"].dtype == float  # still numbers: the table sorts by value
