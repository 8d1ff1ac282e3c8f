"""The draft feuille de route as ONE outline (headings, paragraphs, bullets, tables) of plain text.

Why: the Markdown and the Word exports used to walk the workshop twice and had drifted apart (empty
fields shown in one, hidden in the other). `outline()` decides what the document says and in which
order; `export` only renders the blocks, escaping participant text for its format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .evidence import KeyFigure, describe_evidence
from .records import CATEGORIES, SENS, Atelier, Chantier, Enjeu, Gouvernance
from .store import Store
from .validate import TYPE_LABELS

__all__ = [
    "Bullet",
    "FeuilleDeRoute",
    "Heading",
    "Paragraph",
    "Run",
    "Table",
    "chantier_fields",
    "collect",
    "gouvernance_fields",
    "outline",
]

TO_COMPLETE = "à préciser"


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


# ---------------------------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Run:
    """A piece of text with its emphasis (the text is raw: each renderer escapes it)."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0: document title, 1: section, 2: subsection


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Bullet:
    runs: tuple[Run, ...]
    depth: int = 1


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Bullet | Table


def _para(text: str, *, italic: bool = False) -> Paragraph:
    return Paragraph((Run(text, italic=italic),))


def _field(name: str, value: str) -> Bullet:
    return Bullet((Run(f"{name} :", bold=True), Run(f" {value or TO_COMPLETE}")))


def chantier_fields(ch: Chantier) -> list[tuple[str, str]]:
    """The chantier's rubrics in document order (shared with the spreadsheet export)."""
    return [
        ("Objectif", ch.objectif),
        ("Acteurs", ch.acteurs),
        ("Ressources", ch.ressources),
        ("Première action", ch.premiere_action),
        ("Pilote", ch.pilote),
        ("Horizon", ch.horizon),
    ]


def gouvernance_fields(g: Gouvernance | None) -> list[tuple[str, str]]:
    """The gouvernance rubrics in document order (none before the facilitator fills it)."""
    if g is None:
        return []
    return [
        ("Pilotage", g.pilotage),
        ("Participants", g.participants),
        ("Fréquence des rencontres", g.frequence),
    ]


def commune_list(fdr: FeuilleDeRoute, enjeu: Enjeu) -> str:
    return ", ".join(fdr.commune_noms.get(c, c) for c in enjeu.communes)


def outline(fdr: FeuilleDeRoute) -> list[Block]:
    """The document, block by block, in reading order."""
    a = fdr.atelier
    blocks: list[Block] = [
        Heading(f"Feuille de route territoriale d'inclusion numérique : {fdr.territoire_nom}", 0),
        _para(
            f"Brouillon issu de l'atelier « {a.titre} » du {a.date.strftime('%d/%m/%Y')}, à compléter.",
            italic=True,
        ),
        Heading("Chiffres clés du territoire", 1),
    ]
    if fdr.key_figures:
        rows = tuple((k.label, k.value, k.source, k.millesime) for k in fdr.key_figures)
        blocks.append(Table(("Indicateur", "Valeur", "Source", "Millésime"), rows))
    else:
        blocks.append(_para("Aucun chiffre clé sélectionné."))

    blocks.append(Heading(f"Enjeux identifiés ({len(fdr.enjeux)})", 1))
    for key, label in CATEGORIES.items():
        items = [e for e in fdr.enjeux if e.categorie == key]
        if not items:
            continue
        blocks.append(Heading(f"{label} ({len(items)})", 2))
        for enjeu in items:
            extra = []
            if enjeu.auteur:
                extra.append(f"proposé par {enjeu.auteur}")
            if enjeu.communes:
                extra.append(f"communes : {commune_list(fdr, enjeu)}")
            runs = [Run(enjeu.texte, bold=True)]
            if extra:
                runs.append(Run(f" ({'; '.join(extra)})", italic=True))
            blocks.append(Bullet(tuple(runs)))
            blocks += [
                Bullet((Run(f"{SENS[ev.sens].capitalize()} : {describe_evidence(ev)}"),), depth=2)
                for ev in enjeu.evidence
            ]
    if not fdr.enjeux:
        blocks.append(_para("Aucun enjeu saisi."))

    blocks.append(Heading(f"Chantiers ({len(fdr.chantiers)})", 1))
    titles = {en.id: en.texte for en in fdr.enjeux}
    for i, ch in enumerate(fdr.chantiers, start=1):
        blocks.append(Heading(f"Chantier {i} : {ch.titre}", 2))
        blocks += [_field(name, value) for name, value in chantier_fields(ch)]
        grouped = [titles[j] for j in ch.enjeu_ids if j in titles]
        if grouped:
            blocks.append(Bullet((Run("Enjeux regroupés :", bold=True),)))
            blocks += [Bullet((Run(text),), depth=2) for text in grouped]
    if not fdr.chantiers:
        blocks.append(_para("Aucun chantier défini."))

    blocks.append(Heading("Gouvernance", 1))
    fields_ = gouvernance_fields(fdr.gouvernance)
    blocks += [_field(name, value) for name, value in fields_] or [_para("À définir.")]

    if fdr.local_places is not None and len(fdr.local_places):
        blocks.append(Heading("Lieux ajoutés localement", 1))
        for place in fdr.local_places.itertuples():
            where = place.adresse if isinstance(place.adresse, str) else (place.code_commune or "")
            kind = TYPE_LABELS.get(place.type, place.type)
            blocks.append(Bullet((Run(f"{place.nom} ({kind}) : {where}"),)))
    blocks.append(_para("Document généré par l'Atlas de l'inclusion numérique.", italic=True))
    return blocks
