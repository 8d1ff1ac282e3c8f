"""The Sources page says which vintage and URL the build actually used, and when the base is mixed."""


def test_sources_table_shows_the_vintage_and_url_actually_used():
    from ui.sources import mixed_base_text, sources_table

    report = {
        "provenance": {
            "arcep_debit_communes_2019": {
                "millesime_fichier": "données au 2026-06-30",
                "url": "https://data.arcep.fr/x.csv",
            },
            "france_services_2023": {"millesime": "ressource du 2026-03-02", "repli": "millésime figé"},
        }
    }
    table = sources_table(report).set_index("Source")
    from indicateurs.reference.catalogue import get_source

    arcep = table.loc[get_source("arcep_debit_communes_2019").title]
    assert arcep["Millésime"] == "données au 2026-06-30" and arcep["Lien"] == "https://data.arcep.fr/x.csv"
    assert "millésime figé" in table.loc[get_source("france_services_2023").title, "Millésime"]
    assert "france_services_2023" in mixed_base_text(report) and mixed_base_text({}) == ""
