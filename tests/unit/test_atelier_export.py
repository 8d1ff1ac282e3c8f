"""The draft feuille de route: DOCX and Markdown content, evidence figures and escaping."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from docx import Document

from indicateurs.atelier import (
    collect,
    describe_evidence,
    escape_markdown,
    evidence_for,
    key_figures,
    open_store,
    raw_frames,
    to_docx,
    to_markdown,
)
from indicateurs.reference.registry import get_indicator

PIN = "1234-anim"  # 8 characters at least (atelier.pin.MIN_LENGTH)


@pytest.fixture
def wide() -> pd.DataFrame:
    """A tiny base.wide('epci'): 4 EPCI, one missing value (statistical secrecy)."""
    return pd.DataFrame(
        {
            "nom": ["CC A", "CC B", "CC C", "CC D"],
            "taux_pauvrete": [0.312, 0.25, 0.40, None],
            "part_thd": [0.9, 0.5, 0.7, 0.2],
        },
        index=pd.Index(["200041523", "200000001", "200000002", "200000003"], name="code"),
    )


@pytest.fixture
def workshop(tmp_path, monkeypatch, wide):
    monkeypatch.setenv("ATELIER_PIN", PIN)
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    atelier = store.create_atelier("epci", "200041523", "Atelier du Haut Val", date(2026, 3, 12))
    evidence = [
        evidence_for(wide, "taux_pauvrete", "epci", "200041523", "appuie"),
        evidence_for(wide, "part_thd", "epci", "200041523", "contredit"),
    ]
    e1 = store.add_enjeu(
        atelier.id,
        "Les ménages pauvres décrochent des démarches en ligne",
        "accompagnement",
        communes=["79048"],
        auteur="Léa",
        evidence=evidence,
    )
    store.add_enjeu(atelier.id, "Manque de <b>médiateurs</b> # le soir", "competences")
    store.add_chantier(
        atelier.id,
        "Aller vers les seniors",
        pin=PIN,
        pilote="CCAS",
        premiere_action="Recenser",
        enjeu_ids=[e1.id],
    )
    store.set_gouvernance(
        atelier.id, pin=PIN, pilotage="Comité de pilotage de la CC", frequence="Tous les 3 mois"
    )
    store.add_local_places(
        [{"nom": "EPN Celles", "type": "Lieu de médiation", "code_commune": "79061"}], atelier_id=atelier.id
    )
    figures = key_figures(wide, "epci", "200041523", ["taux_pauvrete"])
    fdr = collect(
        store,
        atelier.id,
        territoire_nom="CC Haut Val de Sèvre",
        key_figures=figures,
        commune_noms={"79048": "Celles"},
    )
    yield fdr
    store.dispose()


def test_evidence_ranks_follow_the_indicator_direction(wide):
    seniors = evidence_for(wide, "taux_pauvrete", "epci", "200041523")
    assert seniors.value == pytest.approx(0.312)
    assert (seniors.rank, seniors.rank_total) == (
        2,
        3,
    )  # 0.40 is more fragile; the secret value is not ranked
    thd = evidence_for(wide, "part_thd", "epci", "200041523")  # direction -1: low coverage is fragile
    assert (thd.rank, thd.rank_total) == (4, 4)
    secret = evidence_for(wide, "taux_pauvrete", "epci", "200000003")
    assert secret.value is None and secret.rank is None
    assert "donnée non disponible (secret statistique)" in describe_evidence(secret)
    text = describe_evidence(seniors)
    assert "31,2" in text and "rang 2 sur 3 EPCI" in text and "Filosofi 2019" in text and "INSEE" in text


def test_key_figures_are_formatted_with_source(wide):
    (figure,) = key_figures(wide, "epci", "200041523", ["taux_pauvrete"])
    assert figure.label == get_indicator("taux_pauvrete").label
    assert figure.value == "31,2\u00a0% (rang 2/3)"
    assert "INSEE" in figure.source and figure.millesime == "Filosofi 2019"


def test_docx_holds_enjeux_figures_chantiers_and_gouvernance(workshop):
    doc = Document(io.BytesIO(to_docx(workshop)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Feuille de route territoriale d'inclusion numérique : CC Haut Val de Sèvre" in text
    assert "Les ménages pauvres décrochent des démarches en ligne" in text
    assert "Manque de <b>médiateurs</b> # le soir" in text  # Word shows the text as typed
    assert "communes : Celles" in text
    assert "31,2\u00a0% (rang 2 sur 3 EPCI, 1 = le plus fragile)" in text
    thd = get_indicator("part_thd").label
    assert f"Contredit l'enjeu : {thd} : 90,0\u00a0% (rang 4 sur 4 EPCI, 1 = le plus fragile)" in text
    assert "Chantier 1 : Aller vers les seniors" in text and "Recenser" in text
    assert "Comité de pilotage de la CC" in text and "Tous les 3 mois" in text
    assert "EPN Celles (Lieu de médiation numérique) : 79061" in text
    assert "31,2\u00a0% (rang 2/3)" in cells and "Filosofi 2019" in cells


def test_docx_survives_control_characters(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    atelier = store.create_atelier("epci", "200041523", "Atelier")
    store.add_enjeu(atelier.id, "bip\x07 et saut\x0c de page", "autre")
    doc = Document(io.BytesIO(to_docx(collect(store, atelier.id))))
    assert any("bip et saut de page" in p.text for p in doc.paragraphs)
    store.dispose()


def test_markdown_has_every_section_and_escapes(workshop):
    markdown = to_markdown(workshop)
    assert markdown.startswith("# Feuille de route territoriale d'inclusion numérique : CC Haut Val de Sèvre")
    for heading in (
        "## Chiffres clés du territoire",
        "## Enjeux identifiés (2)",
        "## Chantiers (1)",
        "## Gouvernance",
    ):
        assert heading in markdown
    assert "Manque de &lt;b&gt;médiateurs&lt;/b&gt; \\# le soir" in markdown
    assert "- **Pilote :** CCAS" in markdown


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[clic](javascript:alert(1))", "\\[clic\\](javascript:alert(1))"),
        ("![x](http://t/p.png)", "!\\[x\\](http://t/p.png)"),
        ("# Titre", "\\# Titre"),
        ("- puce\n1. liste", "\\- puce  \n1\\. liste"),
        (
            "$x^2$ et `code` et *it* _it_ ~~barré~~ | table",
            "\\$x^2\\$ et \\`code\\` et \\*it\\* \\_it\\_ \\~\\~barré\\~\\~ \\| table",
        ),
        ("Un texte simple, accentué : déjà.", "Un texte simple, accentué : déjà."),
    ],
)
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == escaped


def test_raw_frames_have_one_sheet_per_concept(workshop):
    sheets = raw_frames(workshop)
    assert list(sheets) == ["Chiffres clés", "Enjeux", "Preuves", "Chantiers", "Gouvernance", "Lieux locaux"]
    assert sheets["Enjeux"]["Chantiers"].tolist() == ["Aller vers les seniors", ""]
    assert sheets["Preuves"]["Indicateur"].tolist() == ["taux_pauvrete", "part_thd"]
    assert sheets["Preuves"]["Rang"].tolist() == [2, 4]


def test_markdown_and_docx_render_the_same_outline(workshop):
    """Both documents come from `document.outline`: the same headings, at the same levels, in the same order."""
    markdown = to_markdown(workshop)
    md_headings = [
        (len(line) - len(line.lstrip("#")) - 1, line.lstrip("#").strip())
        for line in markdown.splitlines()
        if line.startswith("#")
    ]
    styles = {"Title": 0, "Heading 1": 1, "Heading 2": 2}
    doc = Document(io.BytesIO(to_docx(workshop)))
    docx_headings = [(styles[p.style.name], p.text) for p in doc.paragraphs if p.style.name in styles]
    assert md_headings == docx_headings
    assert [text for _, text in md_headings] == [
        "Feuille de route territoriale d'inclusion numérique : CC Haut Val de Sèvre",
        "Chiffres clés du territoire",
        "Enjeux identifiés (2)",
        "Compétences (1)",
        "Accompagnement (1)",
        "Chantiers (1)",
        "Chantier 1 : Aller vers les seniors",
        "Gouvernance",
        "Lieux ajoutés localement",
    ]
    # an empty rubric reads the same in both (it used to be hidden in Markdown, "à préciser" in Word)
    assert "- **Objectif :** à préciser" in markdown
    assert any(p.text == "Objectif : à préciser" for p in doc.paragraphs)
    bullets = [p for p in doc.paragraphs if p.style.name.startswith("List Bullet")]
    assert len(bullets) == sum(1 for line in markdown.splitlines() if line.lstrip().startswith("- "))


def test_xlsx_survives_control_characters(tmp_path):
    """Issue #18, failure 2: an enjeu pasted from PowerPoint (\\x0b) broke « Données brutes (Excel) »."""
    import openpyxl

    from indicateurs.atelier import to_xlsx

    store = open_store(f"sqlite:///{tmp_path / 'c.sqlite'}")
    atelier = store.create_atelier("epci", "200041523", "Atelier\x01")
    store.add_enjeu(atelier.id, "Titre\x0bpuis la suite\x01", "autre", auteur="Léa\x0b")
    store.add_local_places(
        [{"nom": "EPN\x01", "type": "Lieu de médiation", "code_commune": "79061"}], atelier_id=atelier.id
    )
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(collect(store, atelier.id))))
    cells = [
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert "Titre\npuis la suite" in cells
    assert not any(ch in v for v in cells for ch in "\x01\x0b")
    store.dispose()
