"""The facilitator's space, behind the PIN: chantiers grouping enjeux, gouvernance, moderation."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import streamlit as st

from indicateurs.atelier import HORIZONS, Enjeu, check_pin, escape_markdown
from indicateurs.atelier.document import chantier_fields

from .cards import enjeu_list
from .context import AtelierContext, facilitator_pin, flash, run_action

__all__ = ["pin_gate", "place_names", "view"]

_MAX_PIN_FAILURES = 5
_LOCKOUT_SECONDS = 300


def view(ctx: AtelierContext) -> None:
    st.subheader("Espace animateur")
    if not pin_gate():
        return
    st.subheader("Chantiers")
    chantier_form(ctx, place_names(ctx))
    chantier_list(ctx)
    st.subheader("Gouvernance")
    gouvernance_form(ctx)
    enjeu_list(ctx)


def pin_gate() -> str | None:
    """The facilitator PIN field; returns the PIN once correct."""
    pin = facilitator_pin()
    if pin:
        st.button("Verrouiller l'espace animateur", key="atelier_verrouiller", on_click=_lock)
        return pin
    if not os.environ.get("ATELIER_PIN"):
        st.warning(
            "Aucun code animateur n'est configuré : lancez l'application avec la variable "
            "d'environnement ATELIER_PIN (ex. ATELIER_PIN=un-code-long streamlit run app.py)."
        )
    st.text_input("Code animateur", type="password", key="atelier_pin_saisi")
    st.button("Déverrouiller", key="atelier_deverrouiller", on_click=_unlock)
    return None


def _unlock() -> None:
    ss = st.session_state
    now = time.monotonic()
    failures = [t for t in ss.get("atelier_pin_echecs", []) if now - t < _LOCKOUT_SECONDS]
    pin = ss.get("atelier_pin_saisi", "")
    ss["atelier_pin_saisi"] = ""
    if len(failures) >= _MAX_PIN_FAILURES:
        wait = int(_LOCKOUT_SECONDS - (now - failures[0])) // 60 + 1
        flash("error", f"Trop d'essais de code : réessayez dans {wait} minute(s).")
        return
    if check_pin(pin):
        ss["atelier_pin_valide"] = pin
        ss["atelier_pin_echecs"] = []
        flash("success", "Espace animateur déverrouillé.")
        return
    time.sleep(0.5)  # slows down guessing
    ss["atelier_pin_echecs"] = [*failures, now]
    flash("error", "Code animateur incorrect (ou variable ATELIER_PIN non définie sur le serveur).")


def _lock() -> None:
    st.session_state.pop("atelier_pin_valide", None)


def place_names(ctx: AtelierContext) -> list[str]:
    """'Nom (type)' of the offer places in the territory: national files plus local additions."""
    noms = ctx.commune_noms
    frames = [ctx.store.list_local_places(territoire=(ctx.level, ctx.code), communes=list(noms) or None)]
    base = ctx.base
    if base is not None and {"nom", "type", "code_commune"} <= set(base.places.columns) and noms:
        frames.append(base.places[base.places["code_commune"].astype(str).isin(noms)])
    names = []
    for frame in frames:
        names += [
            f"{n} ({t})" for n, t in zip(frame["nom"], frame["type"], strict=True) if isinstance(n, str)
        ]
    return sorted(dict.fromkeys(names))[:500]


def _enjeu_label(enjeux: list[Enjeu]) -> Callable[[int], str]:
    texts = {e.id: e.texte for e in enjeux}
    return lambda i: f"n° {i} : {texts.get(i, '')[:80]}"


def chantier_form(ctx: AtelierContext, ressources: list[str]) -> None:
    enjeux = ctx.store.list_enjeux(ctx.atelier.id)
    with st.form("chantier_creation", clear_on_submit=True):
        st.text_input("Titre du chantier", key="chantier_titre", max_chars=200)
        st.multiselect(
            "Enjeux regroupés",
            options=[e.id for e in enjeux],
            format_func=_enjeu_label(enjeux),
            key="chantier_enjeux",
            placeholder="Choisir des enjeux",
        )
        st.text_area("Objectif", key="chantier_objectif", max_chars=1000)
        st.text_area("Acteurs", key="chantier_acteurs", max_chars=1000)
        if ressources:
            st.multiselect(
                "Lieux et ressources du territoire",
                options=ressources,
                key="chantier_lieux",
                placeholder="Choisir des lieux",
            )
        st.text_area("Autres ressources", key="chantier_ressources", max_chars=800)
        st.text_input("Première action", key="chantier_action", max_chars=1000)
        st.text_input("Pilote", key="chantier_pilote", max_chars=200)
        st.selectbox("Horizon", options=list(HORIZONS), key="chantier_horizon")
        st.form_submit_button("Créer le chantier", on_click=_add_chantier, args=(ctx,))


def _add_chantier(ctx: AtelierContext) -> None:
    ss = st.session_state
    ressources = "; ".join([*ss.get("chantier_lieux", []), ss.get("chantier_ressources", "")]).strip("; ")
    run_action(
        lambda: ctx.store.add_chantier(
            ctx.atelier.id,
            ss.get("chantier_titre", ""),
            pin=ctx.pin,
            objectif=ss.get("chantier_objectif", ""),
            acteurs=ss.get("chantier_acteurs", ""),
            ressources=ressources,
            premiere_action=ss.get("chantier_action", ""),
            pilote=ss.get("chantier_pilote", ""),
            horizon=ss.get("chantier_horizon", ""),
            enjeu_ids=ss.get("chantier_enjeux", []),
        ),
        "Chantier créé.",
    )


def chantier_list(ctx: AtelierContext) -> None:
    store, pin = ctx.store, ctx.pin
    enjeux = store.list_enjeux(ctx.atelier.id)
    label = _enjeu_label(enjeux)
    for n, ch in enumerate(store.list_chantiers(ctx.atelier.id), start=1):
        with st.container(border=True):
            st.markdown(f"**Chantier {n} : {escape_markdown(ch.titre)}**")
            for name, value in chantier_fields(ch):
                if value:
                    st.markdown(f"*{name}* : {escape_markdown(value)}")
            key = f"chantier_{ch.id}_enjeux"
            st.multiselect(
                "Enjeux regroupés",
                options=[e.id for e in enjeux],
                default=[i for i in ch.enjeu_ids if i in {e.id for e in enjeux}],
                format_func=label,
                key=key,
                placeholder="Choisir des enjeux",
            )
            left, right = st.columns(2)
            left.button(
                "Enregistrer le regroupement",
                key=f"chantier_{ch.id}_lier",
                on_click=lambda cid=ch.id, k=key: run_action(
                    lambda: store.set_chantier_enjeux(cid, st.session_state[k], pin=pin),
                    "Regroupement enregistré.",
                ),
            )
            right.button(
                "Supprimer le chantier",
                key=f"chantier_{ch.id}_supprimer",
                on_click=lambda cid=ch.id: run_action(
                    lambda: store.delete_chantier(cid, pin=pin), "Chantier supprimé."
                ),
            )


def gouvernance_form(ctx: AtelierContext) -> None:
    current = ctx.store.get_gouvernance(ctx.atelier.id)
    with st.form("gouvernance"):
        st.text_area(
            "Qui pilote ?", value=current.pilotage if current else "", key="gouv_pilotage", max_chars=1000
        )
        st.text_area(
            "Qui participe ?",
            value=current.participants if current else "",
            key="gouv_participants",
            max_chars=1000,
        )
        st.text_input(
            "À quelle fréquence ?",
            value=current.frequence if current else "",
            key="gouv_frequence",
            max_chars=200,
        )
        st.form_submit_button(
            "Enregistrer la gouvernance",
            on_click=_save_gouvernance,
            args=(ctx, current.version if current else 0),
        )


def _save_gouvernance(ctx: AtelierContext, version: int) -> None:
    ss = st.session_state
    run_action(
        lambda: ctx.store.set_gouvernance(
            ctx.atelier.id,
            pin=ctx.pin,
            pilotage=ss.get("gouv_pilotage", ""),
            participants=ss.get("gouv_participants", ""),
            frequence=ss.get("gouv_frequence", ""),
            expected_version=version,
        ),
        "Gouvernance enregistrée.",
    )
