"""`--millesimes courants` and the census: INSEE's thematic bases (RP 2021 counts, zipped ';' latin-1
CSV) found through pynsee's file catalogue, served locally with pynsee's transport pointed at the
local server (`serve_census` in test_build_current). The four census indicators keep their ids and
become ratios of sums, with the total population as the denominator of part_65_plus."""

from __future__ import annotations

import pytest

from tests import producer_fixtures as pf
from tests.integration.test_build_current import producers  # noqa: F401 - the local producers' server

pytestmark = pytest.mark.integration

CENSUS = ("part_65_plus", "part_peu_diplomes", "part_menages_seuls", "part_familles_monoparentales")


def _ratio(table: dict, codes: list[str], num, den) -> float:
    return sum(num(table[c]) for c in codes) / sum(den(table[c]) for c in codes)


def _value(base, level, code, indicator):
    return base.wide(level).loc[code, indicator]


def test_census_indicators_are_ratios_of_the_newest_census_counts(producers):  # noqa: F811
    from indicateurs.base import load_base
    from indicateurs.build import build_base
    from indicateurs.reference.registry import get_indicator

    report = build_base(refresh=True)
    prov = report["provenance"]
    for sid in ("insee_rp_population", "insee_rp_diplomes", "insee_rp_menages"):
        assert prov[sid]["millesime_fichier"] == "RP 2021"  # read from P21_/C21_, not from the code
        assert prov[sid]["millesime"].startswith("RP 2021 (catalogue pynsee")
        assert not prov[sid]["repli"]
    # pynsee's list announces RP 2022 first (404 here), then 2021: the 2021 file is the one used
    assert producers.hits["/insee/fichier/2/base-cc-evol-struct-pop-2022_csv.zip"] >= 1
    assert prov["insee_rp_population"]["url"].endswith("/8201904/base-cc-evol-struct-pop-2021_csv.zip")
    assert producers.hits["/insee/fichier/1/base-cc-evol-struct-pop-2020_csv.zip"] == 0
    assert not any("Recensement" in w for w in report["warnings"])

    base = load_base()
    pop, dip, men = pf.RP_POPULATION, pf.RP_DIPLOMES, pf.RP_MENAGES
    # commune: the commune's own counts; 65+ over the TOTAL population (not the 15+)
    assert _value(base, "commune", "01001", "part_65_plus") == pytest.approx(160.2 / 812.4)
    # 01002 absorbed 01999, still in INSEE's file: counts added before the ratio
    assert _value(base, "commune", "01002", "part_65_plus") == pytest.approx((50 + 10) / (190 + 20))
    # EPCI: ratio of sums, not a mean of rates
    dombes = ["01001", "01002", "01999"]
    plaine = ["01004", "01007"]
    assert _value(base, "epci", "200069193", "part_65_plus") == pytest.approx(
        _ratio(pop, dombes, lambda r: r[1], lambda r: r[0])
    )
    assert _value(base, "epci", "240100883", "part_peu_diplomes") == pytest.approx(
        _ratio(dip, plaine, lambda r: r[1] + r[2] + r[3], lambda r: r[0])
    )
    assert _value(base, "epci", "240100883", "part_menages_seuls") == pytest.approx(
        _ratio(men, plaine, lambda r: r[1], lambda r: r[0])
    )
    assert _value(base, "epci", "240100883", "part_familles_monoparentales") == pytest.approx(
        _ratio(men, plaine, lambda r: r[2], lambda r: r[0])  # households, not families (C21_FAM)
    )
    mean_of_rates = (800 / 6600 + 100 / 1230) / 2
    assert _value(base, "epci", "240100883", "part_familles_monoparentales") != pytest.approx(mean_of_rates)
    assert _value(base, "departement", "01", "part_menages_seuls") == pytest.approx(
        _ratio(men, [*dombes, *plaine], lambda r: r[1], lambda r: r[0])
    )
    assert _value(base, "france", "FR", "part_65_plus") == pytest.approx(
        _ratio(pop, list(pop), lambda r: r[1], lambda r: r[0])
    )
    # every value carries its source, the file's millésime, coverage and status
    v = base.values
    census = v[v["indicator"].isin(CENSUS)]
    assert set(census["millesime"].astype(str)) == {"RP 2021"}
    assert set(census["source"].astype(str)) == {
        "insee_rp_population",
        "insee_rp_diplomes",
        "insee_rp_menages",
    }
    epci = census[(census["level"] == "epci") & (census["code"] == "240100883")]
    assert set(epci["statut"].astype(str)) == {"complet"} and (epci["coverage"] == 1.0).all()
    # the registry says which denominator this mode uses
    ind = get_indicator("part_65_plus")
    assert ind.aggregation == "ratio" and "population totale" in ind.label
    assert "population totale" in ind.denominator and "15 ans ou plus" in ind.description


def test_freshness_names_the_newest_census_that_insee_really_serves(producers):  # noqa: F811
    from indicateurs.build import build_base
    from indicateurs.cli.sources import freshness

    build_base(refresh=True)
    rows = {r["source"]: r for r in freshness()}
    assert rows["insee_rp_population"]["millesime_base"] == "RP 2021"
    # pynsee announces RP 2022 but INSEE answers 404: 2021 is still the newest available
    assert rows["insee_rp_population"]["plus_recent"].startswith("RP 2021 (catalogue pynsee")
    assert rows["insee_rp_population"]["plus_recent"].endswith("(déjà dans la base)")
    name, body = pf.insee_rp_population("2022")
    producers.files[f"/insee/fichier/2/{name}"] = body  # now published
    rows = {r["source"]: r for r in freshness()}
    assert rows["insee_rp_population"]["plus_recent"].startswith("RP 2022")
    assert rows["insee_rp_population"]["plus_recent"].endswith("(plus récent disponible)")


def test_a_renamed_census_column_stops_the_build_with_a_french_error_naming_the_source(producers):  # noqa: F811
    from indicateurs.build import build_base
    from indicateurs.sources.loaders import SourceFormatError

    name, body = pf.insee_rp_population(renamed={"P21_POP65P": "P21_POP65_P"})
    producers.files[f"/insee/fichier/8201904/{name}"] = body
    with pytest.raises(SourceFormatError) as error:
        build_base(refresh=True)
    message = str(error.value)
    assert "insee_rp_population" in message and "P21_POP65P" in message
    assert "colonne(s) manquante(s)" in message


def test_without_the_census_bases_the_rp2017_rates_are_used_and_said(producers):  # noqa: F811
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    for path in [p for p in producers.files if p.startswith("/insee/fichier/")]:
        del producers.files[path]  # INSEE's census files unreachable, nothing in the store
    report = build_base(refresh=True)
    assert any(w.startswith("Recensement : base(s) INSEE") for w in report["warnings"])
    assert any("insee_rp_population non récupérée" in w for w in report["warnings"])
    base = load_base()
    d4g = pf.D4G
    assert _value(base, "commune", "01001", "part_65_plus") == pytest.approx(d4g["01001"][3] / 100)
    v = base.values
    row = v[(v["level"] == "commune") & (v["code"] == "01001") & (v["indicator"] == "part_65_plus")].iloc[0]
    assert row["source"] == "d4g_rp2017_communes_2020" and row["millesime"].startswith("RP 2017")
    assert "15 ans ou plus" in row["note"]  # the fallback's denominator is said next to the figure
