"""Choosing the territory's workshop, or creating one (before any view can open)."""

from __future__ import annotations

import re

import streamlit as st

from indicateurs.atelier import Atelier, Store

from .context import run_action

__all__ = ["workshop_picker"]


def workshop_picker(store: Store, level: str, code: str, territoire_nom: str) -> Atelier | None:
    """Choose one of the territory's workshops, or create one; returns the Atelier or None."""
    ateliers = store.list_ateliers(level, code)
    if not ateliers:
        st.info("Aucun atelier n'existe encore pour ce territoire : créez-le pour commencer.")
        _create_form(store, level, code, territoire_nom)
        return None
    by_id = {a.id: a for a in ateliers}
    wanted = st.query_params.get("atelier", "")
    # isdigit() is true for '²' or '٣', which int() refuses: only ASCII digits are a workshop number
    if (
        "atelier_choisi" not in st.session_state
        and re.fullmatch(r"[0-9]{1,9}", wanted)
        and int(wanted) in by_id
    ):
        st.session_state["atelier_choisi"] = int(wanted)
    if st.session_state.get("atelier_choisi") not in by_id:
        st.session_state["atelier_choisi"] = ateliers[0].id
    chosen_id = st.selectbox(
        "Atelier",
        options=list(by_id),
        format_func=lambda i: f"{by_id[i].titre} — {by_id[i].date.strftime('%d/%m/%Y')}",
        key="atelier_choisi",
    )
    with st.expander("Créer un autre atelier pour ce territoire"):
        _create_form(store, level, code, territoire_nom)
    return by_id[chosen_id]


def _create_form(store: Store, level: str, code: str, territoire_nom: str) -> None:
    with st.form("atelier_creation"):
        st.text_input(
            "Titre de l'atelier",
            value=f"Feuille de route : {territoire_nom}",
            key="atelier_titre",
            max_chars=200,
        )
        st.date_input("Date", key="atelier_date", format="DD/MM/YYYY")
        st.form_submit_button("Créer l'atelier", on_click=_create, args=(store, level, code))


def _create(store: Store, level: str, code: str) -> None:
    def action():
        atelier = store.create_atelier(
            level, code, st.session_state["atelier_titre"], st.session_state.get("atelier_date")
        )
        st.session_state["atelier_choisi"] = atelier.id

    run_action(action, "Atelier créé.")
