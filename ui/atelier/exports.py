"""The export view: the draft feuille de route (Word, Markdown) and the raw data (Excel, CSV)."""

from __future__ import annotations

import streamlit as st

from indicateurs.atelier import FeuilleDeRoute, collect, key_figures, to_csv, to_docx, to_markdown, to_xlsx
from indicateurs.reference.registry import headline_ids
from indicateurs.render.tables import safe_filename

from .context import AtelierContext

# Decided for issue #18: the draft is the room's shared work, already on the projector and in the list.
PARTICIPANT_DOWNLOADS = (
    "Tout participant peut télécharger ce brouillon : il contient ce que la salle voit déjà (enjeux avec "
    "les prénoms ou structures saisis, chantiers, gouvernance, lieux ajoutés au territoire). Il ne contient "
    "ni le code animateur ni l'identifiant de session des auteurs. Un atelier archivé n'est plus proposé."
)

__all__ = ["KEY_FIGURES", "feuille_de_route", "view"]

KEY_FIGURES = ("population", *headline_ids())


def feuille_de_route(ctx: AtelierContext) -> FeuilleDeRoute:
    """Everything the exports contain: key figures (defaults + cited indicators) and the workshop's content."""
    figures = []
    if ctx.base is not None:
        wide = ctx.base.wide(ctx.level)
        cited = [ev.indicator_id for e in ctx.store.list_enjeux(ctx.atelier.id) for ev in e.evidence]
        wanted = [i for i in dict.fromkeys([*KEY_FIGURES, *cited]) if i in wide.columns]
        figures = key_figures(wide, ctx.level, ctx.code, wanted, base=ctx.base)
    return collect(
        ctx.store,
        ctx.atelier.id,
        territoire_nom=ctx.territoire_nom,
        key_figures=figures,
        commune_noms=ctx.commune_noms,
    )


def view(ctx: AtelierContext) -> None:
    """The four downloads; each file is built only when its button is clicked."""
    st.subheader("Exporter le brouillon de feuille de route")
    stem = safe_filename(f"feuille de route {ctx.territoire_nom} {ctx.atelier.date:%Y-%m-%d}")
    st.write(
        "Le brouillon reprend les chiffres clés du territoire, les enjeux et leurs preuves, "
        "les chantiers et la gouvernance."
    )
    st.caption(PARTICIPANT_DOWNLOADS)
    downloads = (
        ("Feuille de route (Word)", to_docx, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Feuille de route (Markdown)", to_markdown, "md", "text/markdown"),
        ("Données brutes (Excel)", to_xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("Enjeux (CSV)", to_csv, "csv", "text/csv"),
    )  # fmt: skip
    for column, (label, render, ext, mime) in zip(st.columns(len(downloads)), downloads, strict=True):
        column.download_button(
            label,
            data=lambda render=render: render(feuille_de_route(ctx)),
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"export_{ext}",
            on_click="ignore",
        )
