"""What a careless or hostile participant sees (issue #18): no reflected markup, French messages."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic import EPCI_A
from ui.safe import md

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "app_pages"
PHISH = "[Session expirée : cliquez ici](http://evil/phish)"
PIXEL = "![x](http://host/pixel.png)"
ALERT = ":red[**ALERTE**]"


def _live_markup(text: str) -> list[str]:
    """Markdown constructs that would render as a link, an image or a coloured alert."""
    found = []
    for raw in ("](http", "![", ":red[", "http://", "**"):
        # an escaped character is preceded by a backslash: only unescaped ones are live
        for i in range(len(text)):
            if text.startswith(raw, i) and (i == 0 or text[i - 1] != "\\"):
                found.append(raw)
    return found


def _messages(at: AppTest) -> list[str]:
    return [m.value for kind in ("warning", "error", "info", "success") for m in getattr(at, kind)]


def test_url_territory_and_indicator_are_shown_as_text_on_the_map(app):
    """Failure 1: `/carte?territoire=[…](http://evil)&indicateur=![x](…)` gave a live link and image."""
    app.query_params["territoire"] = PHISH
    app.query_params["indicateur"] = f"{PIXEL} {ALERT}"
    at = app.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2, warnings
    assert md(PHISH) in warnings[0] and md(f"{PIXEL} {ALERT}") in warnings[1]
    for text in warnings:
        assert not _live_markup(text), (text, _live_markup(text))


def test_url_selection_is_shown_as_text_on_comparer(built_store):
    at = AppTest.from_file(str(PAGES / "comparer.py"), default_timeout=120)
    at.query_params["selection"] = f"{PHISH},{ALERT}"
    at.run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "non reconnus" in w.value)
    assert not _live_markup(warning), warning
    assert md("[Session expirée : cliquez ici](http://evil/phish)") in warning


def test_form_input_is_echoed_as_text_on_ressources(built_store):
    name = f"{PHISH} {uuid.uuid4().hex[:6]}"
    at = AppTest.from_file(str(PAGES / "ressources.py"), default_timeout=120)
    at.session_state["territoire"] = ("epci", EPCI_A)
    at.run()
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input(ALERT)
    at.button[-1].click().run()
    assert not at.exception
    for text in _messages(at):
        assert not _live_markup(text), text
    assert any(md(ALERT) in t for t in _messages(at)), _messages(at)


# ------------------------------------------------------------------ failure 8: no traceback
def test_streamlit_config_hides_every_error_detail():
    """`showErrorDetails = false` is the legacy spelling of "stacktrace" in Streamlit >= 1.50."""
    import tomllib

    from streamlit import config
    from streamlit.elements.exception import _error_detail_visibility

    value = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]["showErrorDetails"]
    assert value == "none"
    previous = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", value)
    try:
        shown = _error_detail_visibility(True)
    finally:
        config.set_option("client.showErrorDetails", previous)
    assert not (shown.show_message or shown.show_trace or shown.show_type)


def test_an_unexpected_error_in_a_page_is_one_french_sentence(app, monkeypatch):
    from ui import safe, state

    def broken(*args, **kwargs):
        raise RuntimeError("détail interne /srv/atlas/secret.py")

    monkeypatch.setattr(state, "territory_label", broken)
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [safe.UNEXPECTED_ERROR]
    assert "secret" not in " ".join(m.value for m in at.markdown)


def test_an_unexpected_error_in_the_map_fragment_keeps_the_page(app, monkeypatch):
    from ui import carte, safe

    def broken(*args, **kwargs):
        raise KeyError("colonne_absente")

    monkeypatch.setattr(carte, "build_view", broken)
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Carte" and at.selectbox(key="indicateur")  # the rest of the page is there
    assert [e.value for e in at.error] == [safe.UNEXPECTED_ERROR]


# ------------------------------------------------------------------ failure 9 (outside the Atelier)
def _ressources() -> AppTest:
    at = AppTest.from_file(str(PAGES / "ressources.py"), default_timeout=120)
    at.session_state["territoire"] = ("epci", EPCI_A)
    return at.run()


def test_too_large_upload_is_refused_in_french(built_store):
    """The browser's own refusal is English: its ceiling is above the real limit, explained in French."""
    import tomllib

    from indicateurs.atelier.local_places import MAX_BYTES

    at = _ressources()
    uploader = at.file_uploader[0]
    ceiling = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert uploader.proto.max_upload_size_mb == ceiling >= 4 * MAX_BYTES / 1_000_000
    big = b"nom;type;code_commune\n" + b"Lieu;lieu_mediation;79061\n" * (MAX_BYTES // 20)
    uploader.set_value(("lieux.csv", big, "text/csv")).run()
    assert not at.exception
    assert "Le fichier dépasse 2 Mo" in " ".join(e.value for e in at.error)


def test_local_places_table_has_no_raw_csv_toolbar(built_store):
    """st.dataframe's toolbar exported =HYPERLINK(…) raw: the participants' places are a static table."""
    name = f'=HYPERLINK("http://evil/{uuid.uuid4().hex[:6]}";"x")'
    at = _ressources()
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input("2A006")
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")  # no default type (#17 item 8)
    at.button[-1].click().run()
    assert not at.exception
    assert any(name in t.value.index for t in at.table)
    for frame in at.dataframe:
        assert not frame.value.astype(str).apply(lambda c: c.str.contains("HYPERLINK")).any().any()


# ------------------------------------------------------------------ failure 7: database lost after start-up
class _LostStore:
    """A store that opened fine, then lost its database (PostgreSQL stopped, read-only SQLite)."""

    def list_local_places(self, *args, **kwargs):
        from indicateurs.atelier import StoreUnavailable

        raise StoreUnavailable("La base de données de l'atelier est inaccessible.")

    add_local_places = list_local_places


def test_ressources_keeps_working_when_the_database_is_lost(built_store, monkeypatch):
    import ui.ressources

    monkeypatch.setattr(ui.ressources, "get_store", lambda: _LostStore())
    at = _ressources()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Stockage de l'atelier indisponible" in w.value for w in at.warning)
    name = f"Tiers-lieu {uuid.uuid4().hex[:6]}"
    at.text_input(key="ressources_form_nom").input(name)
    at.text_input(key="ressources_form_code").input("2A006")
    at.selectbox(key="ressources_form_type").set_value("lieu_mediation")  # no default type (#17 item 8)
    at.button[-1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "gardé pour cette session seulement" in " ".join(s.value for s in at.success)
    assert any(name in t.value.index for t in at.table)
