"""The IFN: no producer endpoint for an edition newer than 2023 is public (searched, see the current
catalogue's notes and methode.md); the Sources page and `sources --fraicheur` say which edition is
the newest known instead of only « millésime figé » (issue #15)."""

from __future__ import annotations

from indicateurs.reference import METHOD_FILE
from indicateurs.reference import catalogue as catalogue_mod

IFN = "ifn_communes_2023"


def test_current_catalogue_says_the_newest_public_edition_and_what_was_searched():
    entry = catalogue_mod.load_catalogue("courants")[IFN]
    assert entry.resolve == "fige" and entry.latest_known == "2023"
    assert "dernière édition publique connue : 2023" in entry.notes
    for searched in ("data.gouv.fr", "fragilite-numerique.fr", "api/tiles"):
        assert searched in entry.notes
    method = METHOD_FILE.read_text(encoding="utf-8")
    assert "La dernière édition publique connue de l'IFN est celle de **2023**" in method


def test_freshness_says_the_newest_known_edition(monkeypatch):
    from indicateurs.cli.sources import freshness

    real = catalogue_mod.load_catalogue("courants")
    only = {IFN: real[IFN], "d4g_rp2017_communes_2020": real["d4g_rp2017_communes_2020"]}
    monkeypatch.setattr(catalogue_mod, "load_catalogue", lambda mode: only)  # no producer is asked
    rows = {r["source"]: r for r in freshness()}
    assert rows[IFN]["plus_recent"].startswith("dernière édition publique connue : 2023")
    assert rows["d4g_rp2017_communes_2020"]["plus_recent"].startswith("pas de point d'accès")


def test_sources_table_says_the_newest_known_edition():
    from ui.sources import sources_table

    table = sources_table({}).set_index("Source")
    title = catalogue_mod.get_source(IFN).title
    assert table.loc[title, "Millésime"].endswith("(dernière édition publique connue : 2023)")
    others = table.drop(index=title)["Millésime"]
    assert not others.str.contains("dernière édition publique connue").any()
