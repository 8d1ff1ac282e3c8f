"""Choosing the territory's workshop; creating, archiving, deleting it and choosing the one /atelier opens
are the facilitator's (PIN): a participant once created a workshop dated ten years ahead, which then
opened for everyone (issue #18)."""

from __future__ import annotations

import re

import streamlit as st

from indicateurs.atelier import AccessDenied, Atelier, Store
from indicateurs.atelier.pin import pin_problem
from ui.safe import md

from .context import facilitator_pin, lock, run_action, unlock

__all__ = ["workshop_picker"]


def workshop_picker(store: Store, level: str, code: str, territoire_nom: str) -> Atelier | None:
    """Choose one of the territory's open workshops (the facilitator's default first); returns it or None."""
    pin = facilitator_pin()
    ateliers = store.list_ateliers(level, code)
    if not ateliers:
        if pin:
            st.info("Aucun atelier n'est ouvert pour ce territoire : créez-le pour commencer.")
            _create_form(store, level, code, territoire_nom, pin)
        else:
            st.info(
                "Aucun atelier n'est encore ouvert pour ce territoire : l'animateur l'ouvre avec son code."
            )
            _unlock_form(store, level, code)
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
    if pin:
        with st.expander("Gérer les ateliers (animateur)"):
            _manage(store, by_id[chosen_id], pin)
            st.divider()
            _create_form(store, level, code, territoire_nom, pin)
    else:
        with st.expander("Animateur : créer ou gérer les ateliers"):
            _unlock_form(store, level, code)
    return by_id[chosen_id]


def _unlock_form(store: Store, level: str, code: str) -> None:
    if problem := pin_problem():
        st.warning(md(problem))
        return
    st.text_input("Code animateur", type="password", key="atelier_pin_gestion")
    st.button(
        "Déverrouiller",
        key="atelier_deverrouiller_gestion",
        on_click=unlock,
        args=(store, level, code, "atelier_pin_gestion"),
    )


def _manage(store: Store, atelier: Atelier, pin: str) -> None:
    """Default, archive and delete for the chosen workshop."""
    left, middle, right = st.columns(3)
    left.button(
        "Ouvrir cet atelier par défaut",
        key="atelier_par_defaut",
        disabled=atelier.par_defaut,
        help="L'adresse /atelier ouvre cet atelier pour tous les participants du territoire.",
        on_click=lambda: run_action(
            lambda: store.set_default_atelier(atelier.id, pin=pin), "Atelier ouvert par défaut."
        ),
    )
    middle.button(
        "Archiver cet atelier",
        key="atelier_archiver",
        help="Il disparaît de la liste des participants ; son contenu est gardé.",
        on_click=lambda: run_action(lambda: store.archive_atelier(atelier.id, pin=pin), "Atelier archivé."),
    )
    confirmed = right.checkbox("Je confirme la suppression", key=f"atelier_confirmer_{atelier.id}")
    right.button(
        "Supprimer cet atelier",
        key="atelier_supprimer",
        disabled=not confirmed,
        help="Supprime ses enjeux, chantiers et gouvernance (les lieux ajoutés au territoire restent).",
        on_click=lambda: run_action(lambda: store.delete_atelier(atelier.id, pin=pin), "Atelier supprimé."),
    )
    st.button("Verrouiller l'espace animateur", key="atelier_verrouiller_gestion", on_click=lock)


def _create_form(store: Store, level: str, code: str, territoire_nom: str, pin: str) -> None:
    with st.form("atelier_creation"):
        st.text_input(
            "Titre de l'atelier",
            value=f"Feuille de route : {territoire_nom}",
            key="atelier_titre",
            max_chars=200,
        )
        st.date_input("Date", key="atelier_date", format="DD/MM/YYYY")
        st.form_submit_button("Créer l'atelier", on_click=_create, args=(store, level, code, pin))


def _create(store: Store, level: str, code: str, pin: str) -> None:
    def action():
        if facilitator_pin() != pin:  # locked in another tab since the form was drawn
            raise AccessDenied("Création réservée à l'animateur : déverrouillez d'abord l'espace animateur.")
        atelier = store.create_atelier(
            level, code, st.session_state["atelier_titre"], st.session_state.get("atelier_date")
        )
        st.session_state["atelier_choisi"] = atelier.id

    run_action(action, "Atelier créé.")
