"""Atelier : les enjeux du territoire croisés avec les chiffres, puis les chantiers et la gouvernance."""

import streamlit as st

from indicateurs.atelier import StoreUnavailable
from ui.atelier import animation, context, exports, participant, projector
from ui.atelier.workshop import workshop_picker
from ui.safe import md

participant.keep_draft()  # first: what was typed survives a run that stops early (outage)
VIEWS = ("Participer", "Vue projecteur", "Animation", "Export")
if "atelier_vue" not in st.session_state and st.query_params.get("vue") == "projecteur":
    st.session_state["atelier_vue"] = "Vue projecteur"
# The projector view is the board alone: title and controls fold away below it.
projecting = st.session_state.get("atelier_vue") == "Vue projecteur"
level, code = context.current_territory()
base = context.base_or_none()
territoire_nom = context.territory_name(base, level, code)
if not projecting:
    st.title("Atelier : feuille de route territoriale")
    st.caption(f"Territoire : {md(territoire_nom)} (à changer dans le menu latéral)")
board = st.container()
controls = (
    st.expander("Réglages : atelier, vue, nouvel atelier", expanded=False) if projecting else st.container()
)

try:
    store = context.get_store()
except StoreUnavailable as error:
    st.error(md(error))
    st.stop()
if base is None:
    st.warning(
        "Les chiffres du territoire ne sont pas encore disponibles (base statistique non construite) : "
        "les enjeux peuvent être saisis, sans indicateur lié."
    )

if level == "france":
    st.info("Choisissez le territoire hôte de l'atelier (EPCI, département…) dans le menu latéral.")
context.show_flash()
try:
    with controls:
        atelier = workshop_picker(store, level, code, territoire_nom)
        if atelier is None:
            st.stop()
        vue = st.radio("Vue", VIEWS, horizontal=True, key="atelier_vue", label_visibility="collapsed")
    if vue == "Vue projecteur":
        st.query_params["vue"] = "projecteur"
    elif "vue" in st.query_params:
        del st.query_params["vue"]
    ctx = context.AtelierContext.of(store, atelier, base, level, code, territoire_nom)
    views = {
        "Participer": participant.view,
        "Vue projecteur": projector.view,
        "Animation": animation.view,
        "Export": exports.view,
    }
    with board if vue == "Vue projecteur" else st.container():
        views[vue](ctx)
except StoreUnavailable as error:
    st.error(md(error))
