"""The draft feuille de route as editable documents (DOCX, Markdown) and the raw data (XLSX, CSV).

Both documents render the same outline (`document.outline`): same headings, same order. Participant
text is never trusted: Markdown and HTML are escaped in the Markdown export, control characters that
break a Word file are dropped in the DOCX export, and spreadsheet cells that start with = + - @ are
neutralised by `render.tables`.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from indicateurs.render.tables import clean_text, csv_bytes, xlsx_bytes

from .document import (
    Block,
    Bullet,
    FeuilleDeRoute,
    Heading,
    Run,
    Table,
    chantier_fields,
    collect,
    commune_list,
    gouvernance_fields,
    outline,
)
from .evidence import describe_evidence

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


def escape_markdown(text: object) -> str:
    """Text that Markdown and HTML renderers show literally (no link, image, tag, heading, list or formula)."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_INLINE.sub(r"\\\1", value)
    lines = [_MD_LINE_START.sub(r"\1\2\\\3", line) for line in value.split("\n")]
    return "  \n".join(lines)


def _date(value: datetime) -> str:
    return value.astimezone(_PARIS).strftime("%d/%m/%Y %H:%M")


# ---------------------------------------------------------------------------------------------- Markdown


def _md_runs(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        text = escape_markdown(run.text)
        core = text.strip()
        if core and (run.bold or run.italic):
            mark = "**" if run.bold else "*"
            text = text.replace(core, f"{mark}{core}{mark}", 1)
        out.append(text)
    return "".join(out)


def _md_block(block: Block) -> list[str]:
    e = escape_markdown
    if isinstance(block, Heading):
        return [f"{'#' * (block.level + 1)} {e(block.text)}", ""]
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(e(c) for c in block.header) + " |",
            "| " + " | ".join("---" for _ in block.header) + " |",
        ]
        return lines + ["| " + " | ".join(e(c) for c in row) + " |" for row in block.rows] + [""]
    if isinstance(block, Bullet):
        return [f"{'  ' * (block.depth - 1)}- {_md_runs(block.runs)}"]
    return [_md_runs(block.runs), ""]


def to_markdown(fdr: FeuilleDeRoute) -> str:
    """The draft as Markdown; every piece of participant text is escaped."""
    lines: list[str] = []
    for block in outline(fdr):
        if not isinstance(block, Bullet) and lines and lines[-1] != "":
            lines.append("")  # a list ends before the next heading or paragraph
        lines += _md_block(block)
    return "\n".join(lines).rstrip("\n") + "\n"


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
    for block in outline(fdr):
        if isinstance(block, Heading):
            doc.add_heading(_x(block.text), level=block.level)
        elif isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Light Grid Accent 1"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = _x(text)
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = _x(text)
        else:
            style = None
            if isinstance(block, Bullet):
                style = "List Bullet" if block.depth == 1 else f"List Bullet {block.depth}"
            par = doc.add_paragraph(style=style)
            for run in block.runs:
                added = par.add_run(_x(run.text))
                added.bold = run.bold or None
                added.italic = run.italic or None
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
                "Communes": commune_list(fdr, en),
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
                **dict(chantier_fields(ch)),
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
    gouvernance = pd.DataFrame(gouvernance_fields(fdr.gouvernance), columns=["Rubrique", "Contenu"])
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
