"""The participant's view: a form to add an enjeu (with its figures shown live) beside the list."""

from __future__ import annotations

import uuid

import streamlit as st

from indicateurs.atelier import CATEGORIES, LIMITS, describe_evidence, evidence_for
from indicateurs.atelier.limits import PER_SESSION, PER_WORKSHOP, RateLimit
from ui.safe import md
from ui.state import EXACT_PICK

from .cards import enjeu_list
from .context import AtelierContext, indicator_options, run_action

__all__ = ["enjeu_form", "keep_draft", "view"]

# What a participant typed survives a run where the form is not drawn (database outage): Streamlit
# forgets a widget's value when the widget is missing from a run, so it is copied aside first.
_DRAFT = ("enjeu_texte", "enjeu_auteur", "enjeu_categorie")
_DRAFT_PREFIX = "_brouillon_"


def keep_draft() -> None:
    """Copy the form's current values aside; call it first in the page, before anything can stop it."""
    ss = st.session_state
    for key in _DRAFT:
        if key in ss:
            ss[_DRAFT_PREFIX + key] = ss[key]


def _restore_draft() -> None:
    ss = st.session_state
    for key in _DRAFT:
        if key not in ss and _DRAFT_PREFIX + key in ss:
            ss[key] = ss[_DRAFT_PREFIX + key]


@st.cache_resource(show_spinner=False)
def _rates() -> tuple[RateLimit, RateLimit]:
    """Enjeux per session and per workshop in the last minute, shared by every session of the process."""
    return RateLimit(PER_SESSION), RateLimit(PER_WORKSHOP)


def view(ctx: AtelierContext) -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader("Ajouter un enjeu")
        enjeu_form(ctx)
    with right:
        enjeu_list(ctx)


def enjeu_form(ctx: AtelierContext) -> None:
    """The participant's form: text, category, communes, indicators with their figure shown live."""
    _restore_draft()
    st.text_input("Votre prénom ou structure (facultatif)", key="enjeu_auteur", max_chars=80)
    # No max_chars: the browser would cut a longer paste without a word; the store refuses it in
    # French and the text stays in the field to be shortened.
    st.text_area(
        "L'enjeu, en une ou deux phrases",
        key="enjeu_texte",
        help=f"{LIMITS['texte']} caractères au plus ; un texte plus long est refusé (et reste dans le "
        "champ pour être raccourci).",
        placeholder="Ex. : les seniors des communes rurales n'ont pas de lieu d'accompagnement proche.",
    )
    st.selectbox(
        "Catégorie", options=list(CATEGORIES), format_func=CATEGORIES.__getitem__, key="enjeu_categorie"
    )
    if ctx.commune_noms:
        noms = ctx.commune_noms
        st.multiselect(
            "Communes concernées (facultatif)",
            options=list(noms),
            format_func=lambda c: f"{noms[c]} ({c})",
            key="enjeu_communes",
            placeholder="Choisir une ou plusieurs communes",
            **EXACT_PICK,
        )
    options = indicator_options(ctx.base, ctx.level)
    if not options:
        st.caption("Les indicateurs pourront être liés une fois la base statistique construite.")
    else:
        wide = ctx.base.wide(ctx.level)
        for sens, label in (
            ("appuie", "Indicateurs qui appuient l'enjeu"),
            ("contredit", "Indicateurs qui le contredisent"),
        ):
            chosen = st.multiselect(
                label,
                options=list(options),
                format_func=options.__getitem__,
                key=f"enjeu_{sens}",
                placeholder="Choisir un ou plusieurs indicateurs",
                **EXACT_PICK,
            )
            for indicator_id in chosen:
                figure = evidence_for(wide, indicator_id, ctx.level, ctx.code, sens, base=ctx.base)
                st.caption(md(describe_evidence(figure, ctx.territoire_nom), limit=None))
    st.button(
        "Enregistrer l'enjeu", type="primary", key="enjeu_enregistrer", on_click=_save_enjeu, args=(ctx,)
    )


def _save_enjeu(ctx: AtelierContext) -> None:
    ss = st.session_state
    ss.setdefault("enjeu_requete", uuid.uuid4().hex)

    def action():
        appuie, contredit = ss.get("enjeu_appuie", []), ss.get("enjeu_contredit", [])
        if set(appuie) & set(contredit):
            raise ValueError("Un même indicateur ne peut pas à la fois appuyer et contredire l'enjeu.")
        evidence = []
        if ctx.base is not None:
            wide = ctx.base.wide(ctx.level)
            evidence = [evidence_for(wide, i, ctx.level, ctx.code, "appuie", base=ctx.base) for i in appuie]
            evidence += [
                evidence_for(wide, i, ctx.level, ctx.code, "contredit", base=ctx.base) for i in contredit
            ]
        per_session, per_workshop = _rates()
        wait = max(per_session.wait(ctx.author_key), per_workshop.wait(ctx.atelier.id))
        if wait:
            raise ValueError(
                "Beaucoup d'enjeux enregistrés en une minute : attendez "
                f"{int(wait) + 1} secondes avant le suivant (le texte reste dans le champ)."
            )
        per_session.hit(ctx.author_key)
        per_workshop.hit(ctx.atelier.id)
        ctx.store.add_enjeu(
            ctx.atelier.id,
            ss.get("enjeu_texte", ""),
            ss.get("enjeu_categorie", "acces"),
            communes=ss.get("enjeu_communes", []),
            auteur=ss.get("enjeu_auteur", ""),
            author_key=ctx.author_key,
            evidence=evidence,
            request_id=ss["enjeu_requete"],
        )

    if run_action(action, "Enjeu enregistré : il apparaît dans la liste et sur la vue projecteur."):
        ss["enjeu_texte"] = ""
        for key in ("enjeu_communes", "enjeu_appuie", "enjeu_contredit"):
            ss[key] = []
        ss["enjeu_requete"] = uuid.uuid4().hex
