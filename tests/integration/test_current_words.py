"""A base built with `--millesimes courants` (producers' fixtures served locally) says, in every view,
the words of what it holds: its own mode's labels and sources whatever the reading process's
setting, the source of the offer it used, the vintages of the inputs of computed figures, a French
vintage for the populations, and the URL the build fetched (issue #15)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import app_test

from tests.integration.test_build_current import producers  # noqa: F401 - the local producers' server

pytestmark = pytest.mark.integration

CURRENT_LABEL = "Part des 65 ans et plus (parmi la population totale)"
PINNED_LABEL = "Part des 65 ans et plus (parmi les 15 ans ou plus)"


@pytest.fixture(scope="module")
def _built() -> dict:
    return {}


@pytest.fixture
def current_base(request, _built, tmp_path_factory, monkeypatch):
    """The current base (built once per module from the local producers), read by a process whose
    setting is the pinned one (`INDICATEURS_MILLESIMES=figes`), as an app left on its default."""
    from indicateurs.base import load_base
    from indicateurs.build import build_base
    from indicateurs.config import base_dir

    if "root" not in _built:
        request.getfixturevalue("producers")
        _built["report"] = build_base(refresh=True)
        root = tmp_path_factory.mktemp("courant")
        shutil.copytree(base_dir(), root / "base")
        _built["root"] = root
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    monkeypatch.setenv("INDICATEURS_DATA", str(_built["root"]))
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    return load_base()


def _texts(at) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "title", "header", "subheader") for e in getattr(at, kind)
    ]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(str(p) for p in parts)


def test_the_base_recorded_mode_decides_the_words_not_the_process(current_base):
    base = current_base
    assert base.mode == "courants"
    ind = base.indicator("part_65_plus")
    assert ind.label == CURRENT_LABEL and ind.source == "insee_rp_population"
    assert base.citation("part_65_plus", "epci") == "INSEE, recensement de la population (RP 2021)"
    at = app_test.AppTest.from_file("../../app.py", default_timeout=120)
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    table = next(f.value for f in at.dataframe if "Identifiant" in f.value.columns)
    row = table.set_index("Identifiant").loc["part_65_plus"]
    assert row["Indicateur"] == CURRENT_LABEL
    assert row["Dénominateur"].startswith("population totale")
    assert row["Source"] == "INSEE, recensement de la population (RP 2021)"  # the vintage read in the file
    assert PINNED_LABEL not in table["Indicateur"].tolist()


def test_offer_words_name_the_source_the_base_used_and_the_merge(current_base):
    from indicateurs.analysis import offer

    words = offer.offer_sources(current_base)
    assert words.merged and "lieux_mediation_numerique" in words.source_ids
    assert "data_inclusion_lieux_2023" not in words.source_ids  # superseded by the national file
    rows = dict(words.rows)
    assert (
        rows["nb_lieux_mediation"]
        == "Lieux de médiation (ANCT, lieux de médiation numérique, fichier national)"
    )
    assert rows["nb_lieux_total"] == offer.MERGED_TOTAL
    # the caption dates the sources with the vintages the build used, not the catalogue's recipe
    assert (
        "ANCT, lieux de médiation numérique (fichier national) (lieux mis à jour jusqu'au 2026-11-20)"
        in words.caption
    )
    assert (
        "ANCT, Espaces France Services (ressource du 2026-03-02 : Liste France services mars 2026)"
        in words.caption
    )
    wide = current_base.wide("epci")
    table = offer.offer_comparison([("X", wide.iloc[0])], "nombre", words)
    assert "Lieux de médiation (data·inclusion, partiel)" not in table.index
    assert "Total des lieux (doublons possibles entre sources)" not in table.index
    at = app_test.AppTest.from_file("../../app.py", default_timeout=120)
    code = wide.index[0]
    at.query_params["territoire"] = f"epci:{code}"
    at.switch_page("app_pages/ressources.py").run()
    assert not at.exception
    text = _texts(at)
    assert "ANCT, lieux de médiation numérique (fichier national)" in text  # the caption's source
    assert "Doublons entre sources fusionnés" in text
    assert "Des doublons entre sources sont possibles" not in text
    assert "data·inclusion, partiel" not in text and "doublons possibles" not in text
    assert "extrait partiel de janvier 2023" not in text  # no caveat of a file the base did not use


def test_computed_figures_compose_the_vintages_of_their_inputs(current_base):
    from indicateurs.analysis.profile import build_profile

    base = current_base
    places = (
        "France Services : ressource du 2026-03-02 : Liste France services mars 2026 ; "
        "Permanences CnFS, Lieux de médiation, Structures Aidants Connect : lieux mis à jour jusqu'au 2026-11-20"
    )
    population = "Population : populations légales 2023 (en vigueur au 1er janvier 2026)"
    assert base.millesime("lieux_pour_10000", "epci") == f"{places} ; {population}"
    assert base.millesime("distance_lieu_km", "commune") == places
    composite = base.millesime("indice_composite", "epci")
    assert "Au plus CAP-BEP, 65 ans et plus, Ménages d'une personne : RP 2021" in composite
    assert "IFN sans THD : édition 2023" in composite and "2017" not in composite
    # the source the values carry, not the registry's data·inclusion extract
    assert base.citation("nb_lieux_mediation", "epci") == (
        "ANCT, Cartographie nationale des lieux de médiation numérique (lieux mis à jour jusqu'au 2026-11-20)"
    )
    epci = base.wide("epci").index[0]
    key = build_profile(base, epci).key_figures
    assert "sources 2017-2023" not in key.at["indice_composite", "citation"]
    assert "RP 2021" in key.at["indice_composite", "citation"]


def test_population_says_a_french_vintage_never_a_package_version(current_base):
    base = current_base
    prov = base.report["provenance"]["cog_communes_2025"]
    assert prov["millesime"] == (
        "COG 2026, populations légales 2023 (en vigueur au 1er janvier 2026 ; decoupage-administratif 7.0.0 "
        "du 2026-03-15)"
    )
    assert base.millesime("population", "epci") == "populations légales 2023 (en vigueur au 1er janvier 2026)"
    assert base.citation("population", "commune") == (
        "INSEE, COG et populations légales (Etalab), populations légales 2023, en vigueur au 1er janvier 2026"
    )
    at = app_test.AppTest.from_file("../../app.py", default_timeout=120)
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    text = _texts(at)
    assert "version 7.0.0" not in text
    assert "COG 2026, populations légales 2023" in text


def test_workshop_and_profile_exports_cite_the_base_vintage_and_the_url_used(current_base):
    import io

    import pandas as pd

    from indicateurs.analysis.profile import build_profile
    from indicateurs.atelier.evidence import describe_evidence, evidence_for, key_figures
    from indicateurs.render.profile_files import profile_xlsx

    base = current_base
    epci = base.wide("epci").index[0]
    wide = base.wide("epci")
    ev = evidence_for(wide, "part_65_plus", "epci", epci, base=base)
    assert (ev.source, ev.millesime) == ("insee_rp_population", "RP 2021")
    text = describe_evidence(ev, "CC Test")
    assert text.startswith(CURRENT_LABEL)
    assert "source : INSEE, recensement de la population (RP 2021)" in text
    assert "RP (année lue dans le fichier)" not in text
    figures = {
        k.label: k for k in key_figures(wide, "epci", epci, ["part_65_plus", "lieux_pour_10000"], base=base)
    }
    assert figures[CURRENT_LABEL].millesime == "RP 2021"
    offer = next(k for k in figures.values() if k.label != CURRENT_LABEL)
    assert "2026-11-20" in offer.millesime and "2022-2024" not in offer.millesime
    # the profile XLSX: « Adresse » = the URL the build fetched (provenance), not the catalogue's
    profile = build_profile(base, epci)
    sheet = pd.read_excel(io.BytesIO(profile_xlsx(profile)), sheet_name="Sources").set_index("Identifiant")
    prov = base.report["provenance"]
    assert sheet.at["part_65_plus", "Adresse"] == prov["insee_rp_population"]["url"]
    assert sheet.at["part_65_plus", "Millésime"] == "RP 2021"
    assert sheet.at["nb_lieux_mediation", "Adresse"] == prov["lieux_mediation_numerique"]["url"]
    assert (
        sheet.at["nb_lieux_mediation", "Jeu de données"]
        == "Lieux de médiation numérique sur le territoire national"
    )
    assert sheet.at["population", "Adresse"].endswith("@7.0.0/data/communes.json")


def test_the_map_legend_cites_the_source_the_values_carry(current_base):
    from indicateurs.analysis.classify import classify
    from indicateurs.render import maps

    base = current_base
    values = base.wide("epci")["nb_lieux_mediation"]
    ind = base.indicator_at("nb_lieux_mediation", "epci")
    legend = maps.legend_html(
        ind,
        classify(values, "quantiles", indicator=ind),
        millesime=base.millesime("nb_lieux_mediation", "epci"),
    )
    assert "ANCT, Cartographie nationale des lieux de médiation numérique" in legend
    assert "data·inclusion" not in legend  # neither in the label nor in the source line
    assert "Lieux de médiation numérique (fichier national" in legend
    census = base.indicator_at("part_65_plus", "epci")
    assert census.label == CURRENT_LABEL and census.source == "insee_rp_population"


def test_without_the_national_file_the_offer_keeps_the_pinned_words(producers, monkeypatch):  # noqa: F811
    """The national file unreachable: the counts come from the pinned place files, and every word
    says so (the current registry's « fichier national » label is not used)."""
    from indicateurs.analysis import offer
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    del producers.files["/api/1/datasets/lieux-mediation-numerique/"]  # data.gouv.fr answers 404
    build_base(refresh=True)
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    base = load_base()
    v = base.values
    assert set(v.loc[v["indicator"] == "nb_lieux_mediation", "source"].astype(str)) == {
        "data_inclusion_lieux_2023"
    }
    assert (
        base.indicator("nb_lieux_mediation").label
        == "Lieux de médiation numérique (extrait data·inclusion, partiel)"
    )
    assert base.citation("nb_lieux_mediation", "epci").startswith("data·inclusion")
    rows = dict(offer.offer_sources(base).rows)
    assert rows["nb_lieux_mediation"] == "Lieux de médiation (data·inclusion, partiel)"
    assert rows["nb_lieux_total"] == offer.MERGED_TOTAL  # the current build still merged the duplicates


def test_profile_page_of_a_current_base_on_a_pinned_process(current_base):
    epci = current_base.wide("epci").index[0]
    at = app_test.AppTest.from_file("../../app.py", default_timeout=120)
    at.query_params["territoire"] = f"epci:{epci}"
    at.switch_page("app_pages/profil.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "65 ans et plus" in labels and "65 ans et plus (parmi les 15 ans ou plus)" not in labels
    text = _texts(at)
    assert "INSEE, recensement de la population (RP 2021)" in text
    assert "parmi les 15 ans ou plus" not in text
    assert "sources 2017-2023" not in text
