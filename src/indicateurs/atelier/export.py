"""The draft feuille de route as editable documents (DOCX, Markdown) and the raw data (XLSX, CSV).

Participant text is never trusted: Markdown and HTML are escaped in the Markdown export, control
characters that break a Word file are dropped in the DOCX export, and spreadsheet cells that start
with = + - @ are neutralised by `indicateurs.exports`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from indicateurs.render.tables import clean_text, csv_bytes, xlsx_bytes

from .evidence import KeyFigure, describe_evidence
from .storage import CATEGORIES, SENS, Atelier, Chantier, Enjeu, Gouvernance, Store

__all__ = [
    "FeuilleDeRoute",
    "collect",
    "escape_markdown",
    "raw_frames",
    "to_csv",
    "to_docx",
    "to_markdown",
    "to_xlsx",
]

_PARIS = ZoneInfo("Europe/Paris")
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|~$#])")
_MD_LINE_START = re.compile(r"^(\s*)(\d*)([-+=.)])")


@dataclass(frozen=True)
class FeuilleDeRoute:
    """Everything the exported draft contains, read once from the store."""

    atelier: Atelier
    territoire_nom: str
    key_figures: tuple[KeyFigure, ...]
    enjeux: tuple[Enjeu, ...]
    chantiers: tuple[Chantier, ...]
    gouvernance: Gouvernance | None
    local_places: pd.DataFrame | None = None
    commune_noms: Mapping[str, str] = field(default_factory=dict)


def collect(
    store: Store,
    atelier_id: int,
    *,
    territoire_nom: str = "",
    key_figures: Sequence[KeyFigure | tuple[str, str, str, str]] = (),
    commune_noms: Mapping[str, str] | None = None,
) -> FeuilleDeRoute:
    """Read a workshop's content; key figures come in already formatted (label, value, source, millésime)."""
    atelier = store.get_atelier(atelier_id)
    return FeuilleDeRoute(
        atelier=atelier,
        territoire_nom=territoire_nom or f"{atelier.territoire_level} {atelier.territoire_code}",
        key_figures=tuple(KeyFigure(*k) for k in key_figures),
        enjeux=tuple(store.list_enjeux(atelier_id)),
        chantiers=tuple(store.list_chantiers(atelier_id)),
        gouvernance=store.get_gouvernance(atelier_id),
        local_places=store.list_local_places(
            atelier_id=atelier_id, territoire=(atelier.territoire_level, atelier.territoire_code)
        ),
        commune_noms=dict(commune_noms or {}),
    )


def escape_markdown(text: object) -> str:
    """Text that Markdown and HTML renderers show literally (no link, image, tag, heading, list or formula)."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_INLINE.sub(r"\\\1", value)
    lines = [_MD_LINE_START.sub(r"\1\2\\\3", line) for line in value.split("\n")]
    return "  \n".join(lines)


def _communes(fdr: FeuilleDeRoute, enjeu: Enjeu) -> str:
    return ", ".join(fdr.commune_noms.get(c, c) for c in enjeu.communes)


def _date(value: datetime) -> str:
    return value.astimezone(_PARIS).strftime("%d/%m/%Y %H:%M")


def _by_category(enjeux: Sequence[Enjeu]) -> list[tuple[str, list[Enjeu]]]:
    return [(label, [e for e in enjeux if e.categorie == key]) for key, label in CATEGORIES.items()]


def _chantier_fields(ch: Chantier) -> list[tuple[str, str]]:
    return [
        ("Objectif", ch.objectif),
        ("Acteurs", ch.acteurs),
        ("Ressources", ch.ressources),
        ("Première action", ch.premiere_action),
        ("Pilote", ch.pilote),
        ("Horizon", ch.horizon),
    ]


def _gouvernance_fields(g: Gouvernance | None) -> list[tuple[str, str]]:
    if g is None:
        return []
    return [
        ("Pilotage", g.pilotage),
        ("Participants", g.participants),
        ("Fréquence des rencontres", g.frequence),
    ]


def _title(fdr: FeuilleDeRoute) -> str:
    return f"Feuille de route territoriale d'inclusion numérique : {fdr.territoire_nom}"


# ---------------------------------------------------------------------------------------------- Markdown


def to_markdown(fdr: FeuilleDeRoute) -> str:
    """The draft as Markdown; every piece of participant text is escaped."""
    e = escape_markdown
    a = fdr.atelier
    lines = [
        f"# {e(_title(fdr))}",
        "",
        f"*Brouillon issu de l'atelier « {e(a.titre)} » du {a.date.strftime('%d/%m/%Y')}, à compléter.*",
        "",
        "## Chiffres clés du territoire",
        "",
    ]
    if fdr.key_figures:
        lines += ["| Indicateur | Valeur | Source | Millésime |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {e(k.label)} | {e(k.value)} | {e(k.source)} | {e(k.millesime)} |" for k in fdr.key_figures
        ]
    else:
        lines.append("Aucun chiffre clé sélectionné.")
    lines += ["", f"## Enjeux identifiés ({len(fdr.enjeux)})", ""]
    for label, items in _by_category(fdr.enjeux):
        if not items:
            continue
        lines += [f"### {e(label)} ({len(items)})", ""]
        for enjeu in items:
            extra = []
            if enjeu.auteur:
                extra.append(f"proposé par {e(enjeu.auteur)}")
            if enjeu.communes:
                extra.append(f"communes : {e(_communes(fdr, enjeu))}")
            suffix = f" *({'; '.join(extra)})*" if extra else ""
            lines.append(f"- {e(enjeu.texte)}{suffix}")
            for ev in enjeu.evidence:
                lines.append(f"  - {e(SENS[ev.sens].capitalize())} : {e(describe_evidence(ev))}")
        lines.append("")
    if not fdr.enjeux:
        lines += ["Aucun enjeu saisi.", ""]
    lines += [f"## Chantiers ({len(fdr.chantiers)})", ""]
    titles = {en.id: en.texte for en in fdr.enjeux}
    for i, ch in enumerate(fdr.chantiers, start=1):
        lines += [f"### Chantier {i} : {e(ch.titre)}", ""]
        lines += [f"- **{name} :** {e(value)}" for name, value in _chantier_fields(ch) if value]
        if ch.enjeu_ids:
            lines.append("- **Enjeux regroupés :**")
            lines += [f"  - {e(titles[j])}" for j in ch.enjeu_ids if j in titles]
        lines.append("")
    if not fdr.chantiers:
        lines += ["Aucun chantier défini.", ""]
    lines += ["## Gouvernance", ""]
    fields_ = [(n, v) for n, v in _gouvernance_fields(fdr.gouvernance) if v]
    lines += [f"- **{name} :** {e(value)}" for name, value in fields_] or ["À définir."]
    if fdr.local_places is not None and len(fdr.local_places):
        lines += ["", "## Lieux ajoutés localement", ""]
        for place in fdr.local_places.itertuples():
            where = place.adresse if isinstance(place.adresse, str) else (place.code_commune or "")
            lines.append(f"- {e(place.nom)} ({e(place.type)}) : {e(where)}")
    lines += ["", "---", "*Document généré par l'Atlas de l'inclusion numérique.*", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- DOCX


def _x(text: object) -> str:
    """Text a Word file can hold (XML forbids most control characters)."""
    return clean_text(str(text))


def to_docx(fdr: FeuilleDeRoute) -> bytes:
    """The draft as a Word document that the group edits afterwards."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    a = fdr.atelier
    doc.add_heading(_x(_title(fdr)), level=0)
    intro = doc.add_paragraph()
    intro.add_run(
        _x(f"Brouillon issu de l'atelier « {a.titre} » du {a.date.strftime('%d/%m/%Y')}, à compléter.")
    ).italic = True

    doc.add_heading("Chiffres clés du territoire", level=1)
    if fdr.key_figures:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(
            table.rows[0].cells, ("Indicateur", "Valeur", "Source", "Millésime"), strict=True
        ):
            cell.text = text
        for k in fdr.key_figures:
            row = table.add_row().cells
            for cell, text in zip(row, (k.label, k.value, k.source, k.millesime), strict=True):
                cell.text = _x(text)
    else:
        doc.add_paragraph("Aucun chiffre clé sélectionné.")

    doc.add_heading(f"Enjeux identifiés ({len(fdr.enjeux)})", level=1)
    for label, items in _by_category(fdr.enjeux):
        if not items:
            continue
        doc.add_heading(f"{label} ({len(items)})", level=2)
        for enjeu in items:
            par = doc.add_paragraph(style="List Bullet")
            par.add_run(_x(enjeu.texte)).bold = True
            extra = []
            if enjeu.auteur:
                extra.append(f"proposé par {enjeu.auteur}")
            if enjeu.communes:
                extra.append(f"communes : {_communes(fdr, enjeu)}")
            if extra:
                par.add_run(_x(f" ({'; '.join(extra)})")).italic = True
            for ev in enjeu.evidence:
                doc.add_paragraph(
                    _x(f"{SENS[ev.sens].capitalize()} : {describe_evidence(ev)}"), style="List Bullet 2"
                )
    if not fdr.enjeux:
        doc.add_paragraph("Aucun enjeu saisi.")

    doc.add_heading(f"Chantiers ({len(fdr.chantiers)})", level=1)
    titles = {en.id: en.texte for en in fdr.enjeux}
    for i, ch in enumerate(fdr.chantiers, start=1):
        doc.add_heading(_x(f"Chantier {i} : {ch.titre}"), level=2)
        for name, value in _chantier_fields(ch):
            par = doc.add_paragraph(style="List Bullet")
            par.add_run(f"{name} : ").bold = True
            par.add_run(_x(value or "à préciser"))
        if ch.enjeu_ids:
            par = doc.add_paragraph(style="List Bullet")
            par.add_run("Enjeux regroupés :").bold = True
            for j in ch.enjeu_ids:
                if j in titles:
                    doc.add_paragraph(_x(titles[j]), style="List Bullet 2")
    if not fdr.chantiers:
        doc.add_paragraph("Aucun chantier défini.")

    doc.add_heading("Gouvernance", level=1)
    fields_ = _gouvernance_fields(fdr.gouvernance)
    if fields_:
        for name, value in fields_:
            par = doc.add_paragraph(style="List Bullet")
            par.add_run(f"{name} : ").bold = True
            par.add_run(_x(value or "à préciser"))
    else:
        doc.add_paragraph("À définir.")

    if fdr.local_places is not None and len(fdr.local_places):
        doc.add_heading("Lieux ajoutés localement", level=1)
        for place in fdr.local_places.itertuples():
            where = place.adresse if isinstance(place.adresse, str) else (place.code_commune or "")
            doc.add_paragraph(_x(f"{place.nom} ({place.type}) : {where}"), style="List Bullet")

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- raw data


def raw_frames(fdr: FeuilleDeRoute) -> dict[str, pd.DataFrame]:
    """The workshop's raw data, one frame per sheet, with French column names."""
    chantier_of: dict[int, list[str]] = {}
    for ch in fdr.chantiers:
        for j in ch.enjeu_ids:
            chantier_of.setdefault(j, []).append(ch.titre)
    enjeux = pd.DataFrame(
        [
            {
                "N°": en.id,
                "Catégorie": en.categorie_label,
                "Enjeu": en.texte,
                "Communes": _communes(fdr, en),
                "Auteur": en.auteur,
                "Indicateurs qui appuient": ", ".join(ev.indicator_id for ev in en.evidence if ev.sens == "appuie"),
                "Indicateurs qui contredisent": ", ".join(
                    ev.indicator_id for ev in en.evidence if ev.sens == "contredit"
                ),
                "Chantiers": " ; ".join(chantier_of.get(en.id, [])),
                "Saisi le": _date(en.created_at),
                "Version": en.version,
            }
            for en in fdr.enjeux
        ],
        columns=[
            "N°", "Catégorie", "Enjeu", "Communes", "Auteur", "Indicateurs qui appuient",
            "Indicateurs qui contredisent", "Chantiers", "Saisi le", "Version",
        ],
    )  # fmt: skip
    preuves = pd.DataFrame(
        [
            {
                "N° enjeu": en.id,
                "Indicateur": ev.indicator_id,
                "Sens": ev.sens,
                "Valeur": ev.value,
                "Rang": ev.rank,
                "Sur": ev.rank_total,
                "Niveau": ev.level,
                "Code": ev.code,
                "Source": ev.source,
                "Millésime": ev.millesime,
                "Lecture": describe_evidence(ev),
            }
            for en in fdr.enjeux
            for ev in en.evidence
        ],
        columns=[
            "N° enjeu",
            "Indicateur",
            "Sens",
            "Valeur",
            "Rang",
            "Sur",
            "Niveau",
            "Code",
            "Source",
            "Millésime",
            "Lecture",
        ],
    )
    chantiers = pd.DataFrame(
        [
            {
                "N°": ch.id,
                "Titre": ch.titre,
                **dict(_chantier_fields(ch)),
                "Enjeux (n°)": ", ".join(map(str, ch.enjeu_ids)),
            }
            for ch in fdr.chantiers
        ],
        columns=[
            "N°",
            "Titre",
            "Objectif",
            "Acteurs",
            "Ressources",
            "Première action",
            "Pilote",
            "Horizon",
            "Enjeux (n°)",
        ],
    )
    gouvernance = pd.DataFrame(_gouvernance_fields(fdr.gouvernance), columns=["Rubrique", "Contenu"])
    figures = pd.DataFrame(
        [tuple(k) for k in fdr.key_figures], columns=["Indicateur", "Valeur", "Source", "Millésime"]
    )
    sheets = {
        "Chiffres clés": figures,
        "Enjeux": enjeux,
        "Preuves": preuves,
        "Chantiers": chantiers,
        "Gouvernance": gouvernance,
    }
    if fdr.local_places is not None and len(fdr.local_places):
        sheets["Lieux locaux"] = fdr.local_places.drop(columns=["created_at"]).reset_index(drop=True)
    return sheets


def to_xlsx(fdr: FeuilleDeRoute) -> bytes:
    """All raw data in one workbook (formula cells neutralised)."""
    return xlsx_bytes(raw_frames(fdr))


def to_csv(fdr: FeuilleDeRoute) -> bytes:
    """The enjeux table as a French CSV (formula cells neutralised)."""
    return csv_bytes(raw_frames(fdr)["Enjeux"])
