"""The Sources et méthode page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from indicateurs.reference.catalogue import list_sources
from indicateurs.reference.registry import list_indicators
from tests.app.checks.shown import captions


def lists_every_source_indicator_and_the_method(app: AppTest) -> AppTest:
    at = app.switch_page("app_pages/sources.py").run()
    assert not at.exception
    assert at.title[0].value == "Sources et méthode"
    sources, indicators = at.dataframe[0].value, at.dataframe[1].value
    assert sources["Source"].tolist() == [s.title for s in list_sources()]
    assert sources["Lien"].str.startswith("http").all()
    assert {"Producteur", "Licence", "Millésime", "Récupérée le"} <= set(sources.columns)
    assert (sources["Récupérée le"] != "").sum() >= 10  # from the store manifest after the build
    assert indicators["Identifiant"].tolist() == [i.id for i in list_indicators()]
    # every indicator states its denominator; the false "parts de la population" sentence is gone
    assert (indicators["Dénominateur"] != "").all()
    assert indicators.set_index("Identifiant").at["part_thd", "Dénominateur"].startswith("locaux")
    assert not any("parts de la population concernée" in m.value for m in at.markdown)
    assert "Base de données construite le" in captions(at)
    assert [h.value for h in at.header] == [
        "Les sources",
        "Les indicateurs",
        "Lieux replacés ou écartés",
        "La méthode des scores",
    ]
    assert any("Limites" in m.value or "limite" in m.value.lower() for m in at.markdown)
    return at
