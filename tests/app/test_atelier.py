"""AppTest of the Atelier page on a tiny in-code base and a throw-away SQLite store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic import EPCI_A
from ui.atelier import participant
from ui.safe import as_shown
from ui.safe import md as escaped

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "atelier.py")
PIN = "2468-anim"  # 8 characters at least (atelier.pin.MIN_LENGTH)
EPCI = ("epci", "200041523")


class _TinyBase:
    """The two things the page reads from the base: territories and wide(level)."""

    territories = pd.DataFrame(
        {
            "level": ["epci", "epci", "commune", "commune"],
            "code": ["200041523", "200000001", "17001", "17002"],
            "nom": ["CC Test", "CC Voisine", "Aubeterre", "Bédenac"],
            "epci": [None, None, "200041523", "200041523"],
            "departement": [None, None, "17", "17"],
        }
    )
    places = pd.DataFrame(columns=["type", "nom", "adresse", "code_commune", "latitude", "longitude"])

    def wide(self, level: str) -> pd.DataFrame:
        assert level == "epci"
        return pd.DataFrame(
            {"nom": ["CC Test", "CC Voisine"], "taux_pauvrete": [0.185, 0.12], "part_thd": [0.21, None]},
            index=pd.Index(["200041523", "200000001"], name="code"),
        )


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    monkeypatch.setenv("ATELIER_PIN", PIN)
    from ui.atelier import context

    monkeypatch.setattr(context, "base_or_none", lambda: _TinyBase())
    context.cached_store.clear()
    participant._rates.clear()  # workshop numbers restart at 1 in each test database
    context.cached_store().create_atelier(*EPCI, "Atelier de test")  # creating is the facilitator's
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["territoire"] = EPCI
    at.run()
    yield at
    context.cached_store.clear()


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_add_enjeu_with_indicator_lists_it_with_its_figure(app):
    at = app
    assert not at.exception
    at.text_input(key="enjeu_auteur").set_value("Léa <CCAS>")
    at.text_area(key="enjeu_texte").set_value("Les ménages **pauvres** <img src=x> renoncent à l'équipement")
    at.selectbox(key="enjeu_categorie").set_value("acces")
    at.multiselect(key="enjeu_communes").set_value(["17002"])
    at.multiselect(key="enjeu_appuie").set_value(["taux_pauvrete"])
    at.run()
    live = [as_shown(c.value) for c in at.caption]
    assert any(
        "18,5\u00a0% (rang 1 sur 2 EPCI, 1 = le plus fragile)" in c for c in live
    )  # shown before saving
    at.button(key="enjeu_enregistrer").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Enjeu enregistré")
    assert at.text_area(key="enjeu_texte").value == ""  # the form is ready for the next enjeu
    md = _markdown(at)
    text = "Les ménages **pauvres** <img src=x> renoncent à l'équipement"
    assert escaped(text, limit=None) in md  # shown as typed: no bold, no tag
    assert any(m.startswith(f"**Accès** · {escaped('Léa <CCAS>')}") for m in md)
    (evidence,) = [as_shown(m) for m in md if m.startswith("▲")]
    assert (
        "18,5\u00a0% (rang 1 sur 2 EPCI" in evidence and "Filosofi 2019" in evidence and "INSEE" in evidence
    )
    assert "Communes : Bédenac" in [as_shown(c.value) for c in at.caption]
    assert at.subheader[1].value == "Enjeux saisis (1)"


def test_pickers_take_only_what_the_participant_picks(app):
    """Typing 'Larrau' offered 'Select 3 matches' (fuzzy) and Enter saved three communes: every picker
    matches the typed text as a substring and has no bulk selection (issue #17, item 11)."""
    at = app
    for key in ("enjeu_communes", "enjeu_appuie", "enjeu_contredit"):
        proto = at.multiselect(key=key).proto
        assert proto.select_all == 0, key
        mode = proto.DESCRIPTOR.fields_by_name["filter_mode"].enum_type.values_by_number[proto.filter_mode]
        assert mode.name == "FILTER_MODE_CONTAINS", key


def test_empty_enjeu_gets_a_french_message(app):
    at = app
    at.button(key="enjeu_enregistrer").click().run()
    assert [as_shown(e.value) for e in at.error] == ["Le texte de l'enjeu est vide : merci de le compléter."]


def test_projector_counts_and_facilitator_groups_into_chantier(app):
    at = app
    for text, cat in (("Zones blanches", "acces"), ("Peu de médiateurs", "accompagnement")):
        at.text_area(key="enjeu_texte").set_value(text)
        at.selectbox(key="enjeu_categorie").set_value(cat)
        at.button(key="enjeu_enregistrer").click().run()
    at.radio(key="atelier_vue").set_value("Vue projecteur").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Enjeux"] == "2" and metrics["Accès"] == "1" and metrics["Accompagnement"] == "1"

    at.radio(key="atelier_vue").set_value("Animation").run()
    at.text_input(key="atelier_pin_saisi").set_value("0000")
    at.button(key="atelier_deverrouiller").click().run()
    assert as_shown(at.error[0].value).startswith("Code animateur incorrect")
    at.text_input(key="atelier_pin_saisi").set_value(PIN)
    at.button(key="atelier_deverrouiller").click().run()
    at.text_input(key="chantier_titre").set_value("Aller vers les publics éloignés")
    at.multiselect(key="chantier_enjeux").set_value([1, 2])
    at.text_input(key="chantier_pilote").set_value("CCAS")
    at.button(key="FormSubmitter:chantier_creation-Créer le chantier").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Chantier créé."]
    md = _markdown(at)
    assert "**Chantier 1 : Aller vers les publics éloignés**" in md and "*Pilote* : CCAS" in md
    at.text_area(key="gouv_pilotage").set_value("Comité de pilotage")
    at.button(key="FormSubmitter:gouvernance-Enregistrer la gouvernance").click().run()
    assert [s.value for s in at.success] == ["Gouvernance enregistrée."]
    at.radio(key="atelier_vue").set_value("Export").run()
    assert not at.exception
    assert len(at.get("download_button")) == 4

    import io

    from docx import Document

    from indicateurs.atelier import to_docx
    from ui.atelier import context, exports

    store = context.get_store()
    (atelier,) = store.list_ateliers(*EPCI)
    ctx = context.AtelierContext(store, atelier, _TinyBase(), *EPCI, "CC Test", {"17001": "Aubeterre"})
    fdr = exports.feuille_de_route(ctx)
    # key figures: the defaults present in the base (taux_pauvrete, part_thd), each with value and rank
    assert [(k.value, k.millesime) for k in fdr.key_figures] == [
        ("18,5\u00a0% (rang 1/2)", "Filosofi 2019"),
        ("21,0\u00a0% (rang 1/1)", "30 septembre 2019"),
    ]
    text = "\n".join(p.text for p in Document(io.BytesIO(to_docx(fdr))).paragraphs)
    assert "Chantier 1 : Aller vers les publics éloignés" in text and "Comité de pilotage" in text


def test_unreachable_database_shows_a_french_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    from ui.atelier import context

    monkeypatch.setattr(context, "base_or_none", lambda: None)
    context.cached_store.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["territoire"] = EPCI
    at.run()
    assert not at.exception
    shown = as_shown(at.error[0].value)  # the message is escaped for Markdown (ui.safe.md)
    assert "inaccessible" in shown and "le reste de l'application fonctionne" in shown


def test_pin_guessing_is_locked_out_after_five_tries(app):
    at = app
    at.radio(key="atelier_vue").set_value("Animation").run()
    for _ in range(5):
        at.text_input(key="atelier_pin_saisi").set_value("0000")
        at.button(key="atelier_deverrouiller").click().run()
    at.text_input(key="atelier_pin_saisi").set_value(PIN)
    at.button(key="atelier_deverrouiller").click().run()
    assert as_shown(at.error[0].value).startswith("Trop d'essais de code")
    assert "chantier_titre" not in [w.key for w in at.text_input]


def test_pin_failures_survive_a_reload(app):
    """Issue #18, failure 3: the counter lived in the browser session, so a reload reset it."""
    at = app
    at.radio(key="atelier_vue").set_value("Animation").run()
    for _ in range(3):
        at.text_input(key="atelier_pin_saisi").set_value("0000")
        at.button(key="atelier_deverrouiller").click().run()
    reloaded = AppTest.from_file(PAGE, default_timeout=60)  # a new browser session, same server
    reloaded.session_state["territoire"] = EPCI
    reloaded.run()
    reloaded.radio(key="atelier_vue").set_value("Animation").run()
    reloaded.text_input(key="atelier_pin_saisi").set_value(PIN)
    reloaded.button(key="atelier_deverrouiller").click().run()
    assert as_shown(reloaded.error[0].value).startswith("Trop d'essais de code pour cet atelier")
    assert "chantier_titre" not in [w.key for w in reloaded.text_input]


def test_short_pin_keeps_the_facilitator_space_closed(app, monkeypatch):
    monkeypatch.setenv("ATELIER_PIN", "1234")
    at = app
    at.radio(key="atelier_vue").set_value("Animation").run()
    assert not at.exception
    assert "trop court : 4 caractère(s), 8 au moins" in as_shown(at.warning[0].value)
    assert "atelier_pin_saisi" not in [w.key for w in at.text_input]


def test_page_on_the_synthetic_base(built_store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    from ui import cache
    from ui.atelier import context

    context.cached_store.clear()
    cache.base.clear()
    context.cached_store().create_atelier("epci", EPCI_A, "Atelier")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["territoire"] = ("epci", EPCI_A)
    at.run()
    communes = at.multiselect(key="enjeu_communes").options
    assert len(communes) == 4  # the communes of the EPCI, by name
    at.text_area(key="enjeu_texte").set_value("Beaucoup de seniors")
    at.multiselect(key="enjeu_appuie").set_value(["part_65_plus"])
    at.button(key="enjeu_enregistrer").click().run()
    assert not at.exception and not at.error
    (evidence,) = [as_shown(m) for m in _markdown(at) if m.startswith("▲")]
    assert (
        "rang " in evidence and "RP 2017" in evidence and "chiffre de l'EPCI CA du Pays Ajaccien" in evidence
    )
    assert EPCI_A not in evidence  # a participant reads the name, never the code
    context.cached_store.clear()


def test_author_edits_and_deletes_own_enjeu_but_not_someone_elses(app):
    at = app
    at.text_area(key="enjeu_texte").set_value("Première version")
    at.button(key="enjeu_enregistrer").click().run()
    at.text_area(key="modifier_texte_1").set_value("Version corrigée")
    at.button(key="FormSubmitter:modifier_1-Enregistrer la modification").click().run()
    assert [s.value for s in at.success] == ["Enjeu modifié."]
    assert "Version corrigée" in _markdown(at)

    other = AppTest.from_file(PAGE, default_timeout=60)  # another participant's browser
    other.session_state["territoire"] = EPCI
    other.run()
    assert "Version corrigée" in _markdown(other)
    assert not [b for b in other.button if b.key == "supprimer_1"]

    at.button(key="supprimer_1").click().run()
    assert [s.value for s in at.success] == ["Enjeu supprimé."]
    assert "Version corrigée" not in _markdown(at)


def test_projector_view_is_the_board_alone_with_controls_folded_away(app):
    """Issue #17 item 5: no title, picker or radio above the board; a grid of enjeux."""
    at = app
    for n in range(4):
        at.text_area(key="enjeu_texte").set_value(f"Enjeu {n}")
        at.button(key="enjeu_enregistrer").click().run()
    at.radio(key="atelier_vue").set_value("Vue projecteur").run()
    assert not at.exception
    assert not at.title  # the page title gives its height to the board
    (folded,) = [e for e in at.expander if e.label.startswith("Réglages")]
    assert folded.radio(key="atelier_vue").value == "Vue projecteur"
    assert folded.selectbox(key="atelier_choisi") is not None
    assert at.query_params["vue"] == ["projecteur"] or at.query_params["vue"] == "projecteur"
    cards = [m.value for m in at.markdown if m.value.startswith("### Enjeu")]
    assert cards == ["### Enjeu 3", "### Enjeu 2", "### Enjeu 1", "### Enjeu 0"]  # newest first


def test_projector_view_opens_from_the_url(app):
    del app  # creates the workshop in the store; a new visitor opens the shared link
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["territoire"] = EPCI
    at.query_params["vue"] = "projecteur"
    at.run()
    assert not at.exception and not at.title
    assert at.radio(key="atelier_vue").value == "Vue projecteur"


# ------------------------------------------------------------------ issue #18 (Atelier)
def test_bare_url_in_an_enjeu_is_not_a_link(app):
    at = app
    at.text_area(key="enjeu_texte").set_value("Voir http://evil.example/phish et [ici](http://x)")
    at.button(key="enjeu_enregistrer").click().run()
    body = next(m for m in _markdown(at) if "evil" in m)
    assert "http://" not in body and "](" not in body
    assert as_shown(body) == "Voir http://evil.example/phish et [ici](http://x)"


def test_a_non_ascii_digit_workshop_number_in_the_url_is_ignored(app):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["territoire"] = EPCI
    at.query_params["atelier"] = "²"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="atelier_choisi").value is not None


def test_too_long_enjeu_is_refused_aloud_and_kept(app):
    at = app
    text = "x" * 700
    at.text_area(key="enjeu_texte").set_value(text)
    at.button(key="enjeu_enregistrer").click().run()
    assert "trop long (700 caractères, 600 au maximum)" in as_shown(at.error[0].value)
    assert at.text_area(key="enjeu_texte").value == text  # nothing cut, nothing lost
    assert at.text_area(key="enjeu_texte").max_chars in (None, 0)  # the browser does not cut a paste


def test_one_session_cannot_flood_the_projector(app):
    from indicateurs.atelier.limits import PER_SESSION

    at = app
    for i in range(PER_SESSION + 2):
        at.text_area(key="enjeu_texte").set_value(f"Enjeu {i}")
        at.button(key="enjeu_enregistrer").click().run()
    assert "Beaucoup d'enjeux enregistrés en une minute" in as_shown(at.error[0].value)
    assert at.subheader[1].value == f"Enjeux saisis ({PER_SESSION})"
    assert at.text_area(key="enjeu_texte").value == f"Enjeu {PER_SESSION + 1}"  # kept for later


def test_text_typed_during_an_outage_is_kept(app, monkeypatch):
    """Issue #18, failure 7: the form disappeared with the database, and the typed text with it."""
    from indicateurs.atelier import StoreUnavailable
    from ui.atelier import context

    at = app
    at.text_area(key="enjeu_texte").set_value("Texte tapé avant la panne")
    at.text_input(key="enjeu_auteur").set_value("Léa")

    def down():
        raise StoreUnavailable("La base de données de l'atelier est inaccessible.")

    real = context.get_store
    monkeypatch.setattr(context, "get_store", down)
    at.run()
    assert "inaccessible" in as_shown(at.error[0].value)
    assert "enjeu_texte" not in [w.key for w in at.text_area]  # the form is gone during the outage
    at.run()
    monkeypatch.setattr(context, "get_store", real)
    at.run()
    assert at.text_area(key="enjeu_texte").value == "Texte tapé avant la panne"
    assert at.text_input(key="enjeu_auteur").value == "Léa"


def _unlock_management(at, pin=PIN):
    at.text_input(key="atelier_pin_gestion").set_value(pin)
    at.button(key="atelier_deverrouiller_gestion").click().run()


def test_participants_cannot_create_a_workshop(tmp_path, monkeypatch):
    """Issue #18, failure 4: without the PIN a participant created workshops, one dated ten years ahead."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    monkeypatch.setenv("ATELIER_PIN", PIN)
    from ui.atelier import context

    monkeypatch.setattr(context, "base_or_none", lambda: _TinyBase())
    context.cached_store.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["territoire"] = EPCI
    at.run()
    assert not at.exception
    assert "FormSubmitter:atelier_creation-Créer l'atelier" not in [b.key for b in at.button]
    assert "l'animateur l'ouvre avec son code" in at.info[-1].value
    _unlock_management(at)
    at.text_input(key="atelier_titre").set_value("Atelier du printemps")
    at.button(key="FormSubmitter:atelier_creation-Créer l'atelier").click().run()
    assert [s.value for s in at.success] == ["Atelier créé."]
    assert [a.titre for a in context.cached_store().list_ateliers(*EPCI)] == ["Atelier du printemps"]
    context.cached_store.clear()


def test_facilitator_chooses_the_default_archives_and_deletes(app):
    from datetime import date

    from ui.atelier import context

    store = context.cached_store()
    future = store.create_atelier(*EPCI, "Dans dix ans", date(2036, 1, 1))
    fresh = AppTest.from_file(PAGE, default_timeout=60)
    fresh.session_state["territoire"] = EPCI
    fresh.run()
    assert fresh.selectbox(key="atelier_choisi").value == future.id  # the latest date, until chosen
    at = app
    at.selectbox(key="atelier_choisi").set_value(1).run()
    _unlock_management(at)
    at.button(key="atelier_par_defaut").click().run()
    assert [s.value for s in at.success] == ["Atelier ouvert par défaut."]
    fresh = AppTest.from_file(PAGE, default_timeout=60)
    fresh.session_state["territoire"] = EPCI
    fresh.run()
    assert fresh.selectbox(key="atelier_choisi").value == 1  # the facilitator's choice, for everyone
    at.selectbox(key="atelier_choisi").set_value(future.id).run()
    at.button(key="atelier_archiver").click().run()
    assert [a.id for a in store.list_ateliers(*EPCI)] == [1]
    assert {a.id for a in store.list_ateliers(*EPCI, include_archived=True)} == {1, future.id}
    at.selectbox(key="atelier_choisi").set_value(1).run()
    at.checkbox(key="atelier_confirmer_1").check().run()
    at.button(key="atelier_supprimer").click().run()
    assert not at.exception
    assert [a.id for a in store.list_ateliers(*EPCI, include_archived=True)] == [future.id]


def test_facilitator_deletes_a_place_added_by_a_participant(app):
    """Issue #18, failure 4: nothing could be deleted in the app; deleting places is the facilitator's."""
    from ui.atelier import context

    store = context.cached_store()
    store.add_local_places(
        [{"nom": '=HYPERLINK("http://evil")', "type": "Lieu de médiation", "code_commune": "17001"}],
        territoire=EPCI,
    )
    at = app
    at.radio(key="atelier_vue").set_value("Animation").run()
    assert not [b for b in at.button if b.key and b.key.startswith("lieu_supprimer_")]  # locked: no button
    at.text_input(key="atelier_pin_saisi").set_value(PIN)
    at.button(key="atelier_deverrouiller").click().run()
    (button,) = [b for b in at.button if b.key and b.key.startswith("lieu_supprimer_")]
    button.click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Lieu supprimé."]
    assert store.list_local_places(territoire=EPCI).empty
