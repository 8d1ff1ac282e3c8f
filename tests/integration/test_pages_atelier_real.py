"""The Atelier page on the base built from the real mirror (the unit layer uses the synthetic base)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "atelier.py")
EPCI = ("epci", "200041523")


def test_page_on_the_built_base(built_store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    from ui import cache
    from ui.atelier import context

    context.cached_store.clear()
    cache.base.clear()
    context.cached_store().create_atelier(*EPCI, "Atelier")  # creating one now takes the facilitator's PIN
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["territoire"] = EPCI
    at.run()
    communes = at.multiselect(key="enjeu_communes").options
    assert len(communes) > 50  # the communes of the EPCI, by name
    at.text_area(key="enjeu_texte").set_value("Beaucoup de seniors")
    at.multiselect(key="enjeu_appuie").set_value(["part_65_plus"])
    at.button(key="enjeu_enregistrer").click().run()
    assert not at.exception and not at.error
    from ui.safe import as_shown

    (evidence,) = [as_shown(m.value) for m in at.markdown if m.value.startswith("▲")]
    assert (
        "rang " in evidence
        and "RP 2017" in evidence
        and "chiffre de l'EPCI CC de la Haute Saintonge" in evidence
    )
    assert "200041523" not in evidence  # the territory by its name
    context.cached_store.clear()
