"""AppTest of the Sources et méthode page."""

import pytest

from indicateurs.reference.catalogue import list_sources
from indicateurs.reference.registry import list_indicators

pytestmark = pytest.mark.integration


def test_sources_page_lists_every_source_indicator_and_the_method(app):
    at = app.switch_page("app_pages/sources.py").run()
    assert not at.exception
    assert at.title[0].value == "Sources et méthode"
    sources, indicators = at.dataframe[0].value, at.dataframe[1].value
    assert sources["Source"].tolist() == [s.title for s in list_sources()]
    assert sources["Lien"].str.startswith("http").all()
    assert {"Producteur", "Licence", "Millésime", "Récupérée le"} <= set(sources.columns)
    assert (sources["Récupérée le"] != "").sum() >= 10  # from the store manifest after the build
    assert indicators["Identifiant"].tolist() == [i.id for i in list_indicators()]
    assert "Base de données construite le" in " ".join(c.value for c in at.caption)
    placement = at.dataframe[2].value
    assert {"Lieu", "Code postal", "Commune dans la source", "Commune retenue", "Décision"} <= set(
        placement.columns
    )
    assert (placement["Commune dans la source"].str.startswith("57490")).sum() == 31  # Moyenvic
    assert [h.value for h in at.header] == [
        "Les sources",
        "Les indicateurs",
        "Lieux replacés ou écartés",
        "La méthode des scores",
    ]
    assert any("Limites" in m.value or "limite" in m.value.lower() for m in at.markdown)
