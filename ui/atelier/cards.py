"""The enjeu card and the list of enjeux, shared by the participant view and the facilitator space.

Everything participants typed goes through `ui.safe.md` before st.markdown: shown as typed, never a
link (bare URLs included: on a phone they became clickable), an image, a heading or HTML.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from indicateurs.atelier import CATEGORIES, SENS, Enjeu, describe_evidence
from ui.safe import md

from .context import AtelierContext, run_action

__all__ = ["enjeu_list", "render_enjeu"]

_PARIS = ZoneInfo("Europe/Paris")


def _when(enjeu: Enjeu) -> str:
    return enjeu.created_at.astimezone(_PARIS).strftime("%d/%m %H:%M")


def render_enjeu(ctx: AtelierContext, enjeu: Enjeu, *, can_edit: bool = False, large: bool = False) -> None:
    """One enjeu card: category, text, communes and evidence, all escaped; edit and delete when allowed."""
    with st.container(border=True):
        who = f" · {md(enjeu.auteur)}" if enjeu.auteur else ""
        st.markdown(f"**{CATEGORIES[enjeu.categorie]}**{who} · {_when(enjeu)}")
        text = md(enjeu.texte, limit=None)
        st.markdown(f"### {text}" if large else text)
        if enjeu.communes:
            names = ", ".join(ctx.commune_noms.get(c, c) for c in enjeu.communes)
            st.caption(md(f"Communes : {names}", limit=None))
        for ev in enjeu.evidence:
            mark = "▲" if ev.sens == "appuie" else "▼"
            st.markdown(f"{mark} *{SENS[ev.sens].capitalize()}* : {md(describe_evidence(ev), limit=None)}")
        if can_edit and not large:
            _edit_controls(ctx, enjeu)


def _edit_controls(ctx: AtelierContext, enjeu: Enjeu) -> None:
    left, right = st.columns(2)
    with left.popover("Modifier", width="stretch"), st.form(f"modifier_{enjeu.id}"):
        st.text_area(  # no max_chars: a longer paste is refused in French, not cut silently
            "Texte", value=enjeu.texte, key=f"modifier_texte_{enjeu.id}", help="600 caractères au plus."
        )
        st.selectbox(
            "Catégorie",
            options=list(CATEGORIES),
            index=list(CATEGORIES).index(enjeu.categorie),
            format_func=CATEGORIES.__getitem__,
            key=f"modifier_categorie_{enjeu.id}",
        )
        st.form_submit_button("Enregistrer la modification", on_click=_update, args=(ctx, enjeu))
    right.button(
        "Supprimer",
        key=f"supprimer_{enjeu.id}",
        on_click=lambda: run_action(
            lambda: ctx.store.delete_enjeu(enjeu.id, author_key=ctx.author_key, pin=ctx.pin),
            "Enjeu supprimé.",
        ),
        width="stretch",
    )


def _update(ctx: AtelierContext, enjeu: Enjeu) -> None:
    run_action(
        lambda: ctx.store.update_enjeu(
            enjeu.id,
            expected_version=enjeu.version,
            texte=st.session_state[f"modifier_texte_{enjeu.id}"],
            categorie=st.session_state[f"modifier_categorie_{enjeu.id}"],
            author_key=ctx.author_key,
            pin=ctx.pin,
        ),
        "Enjeu modifié.",
    )


def enjeu_list(ctx: AtelierContext) -> None:
    """The workshop's enjeux, newest first; each can be edited by its author or the facilitator."""
    enjeux = ctx.store.list_enjeux(ctx.atelier.id)
    st.subheader(f"Enjeux saisis ({len(enjeux)})")
    if not enjeux:
        st.caption("Aucun enjeu pour l'instant.")
    for enjeu in reversed(enjeux):
        render_enjeu(ctx, enjeu, can_edit=bool(ctx.pin) or enjeu.owned_by(ctx.author_key))
