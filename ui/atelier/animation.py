"""The facilitator's space, behind the PIN: chantiers grouping enjeux, gouvernance, moderation."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from indicateurs.atelier import HORIZONS, Enjeu
from indicateurs.atelier.document import chantier_fields
from indicateurs.atelier.pin import pin_problem
from ui.safe import md

from .cards import enjeu_list
from .context import AtelierContext, facilitator_pin, lock, run_action, unlock

__all__ = ["pin_gate", "place_names", "view"]


def view(ctx: AtelierContext) -> None:
    st.subheader("Espace animateur")
    if not pin_gate(ctx):
        return
    st.subheader("Chantiers")
    chantier_form(ctx, place_names(ctx))
    chantier_list(ctx)
    st.subheader("Gouvernance")
    gouvernance_form(ctx)
    local_places_moderation(ctx)
    enjeu_list(ctx)


def local_places_moderation(ctx: AtelierContext) -> None:
    """Places added on the Ressources page for this territory; deleting one is the facilitator's."""
    places = ctx.store.list_local_places(
        territoire=(ctx.level, ctx.code), communes=list(ctx.commune_noms) or None
    )
    st.subheader(f"Lieux ajoutés au territoire ({len(places)})")
    if places.empty:
        st.caption("Aucun lieu ajouté sur la page Ressources pour ce territoire.")
        return
    for place in places.itertuples():
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(f"{md(place.nom)} · {md(place.code_commune or '')} · {md(place.adresse or '')}")
        right.button(
            "Supprimer",
            key=f"lieu_supprimer_{place.id}",
            on_click=lambda pid=int(place.id): run_action(
                lambda: ctx.store.delete_local_place(pid, pin=ctx.pin), "Lieu supprimé."
            ),
        )


def pin_gate(ctx: AtelierContext) -> str | None:
    """The facilitator PIN field; returns the PIN once correct (failures counted by the store)."""
    pin = facilitator_pin()
    if pin:
        st.button("Verrouiller l'espace animateur", key="atelier_verrouiller", on_click=lock)
        return pin
    if problem := pin_problem():
        st.warning(md(problem))
        return None
    st.text_input("Code animateur", type="password", key="atelier_pin_saisi")
    st.button(
        "Déverrouiller",
        key="atelier_deverrouiller",
        on_click=unlock,
        args=(ctx.store, ctx.level, ctx.code, "atelier_pin_saisi"),
    )
    return None


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
            st.markdown(f"**Chantier {n} : {md(ch.titre, limit=None)}**")
            for name, value in chantier_fields(ch):
                if value:
                    st.markdown(f"*{name}* : {md(value, limit=None)}")
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
