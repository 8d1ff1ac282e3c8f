"""Atelier : les enjeux du territoire croisés avec les chiffres, puis les chantiers et la gouvernance."""

import streamlit as st

from indicateurs.atelier import StoreUnavailable
from ui.atelier import animation, context, exports, participant, projector
from ui.atelier.workshop import workshop_picker
from ui.safe import md

participant.keep_draft()  # first: what was typed survives a run that stops early (outage)
st.title("Atelier : feuille de route territoriale")
level, code = context.current_territory()
base = context.base_or_none()
territoire_nom = context.territory_name(base, level, code)
st.caption(f"Territoire : {md(territoire_nom)} (à changer dans le menu latéral)")

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
    atelier = workshop_picker(store, level, code, territoire_nom)
    if atelier is None:
        st.stop()
    ctx = context.AtelierContext.of(store, atelier, base, level, code, territoire_nom)
    views = {
        "Participer": participant.view,
        "Vue projecteur": projector.view,
        "Animation": animation.view,
        "Export": exports.view,
    }
    vue = st.radio("Vue", list(views), horizontal=True, key="atelier_vue", label_visibility="collapsed")
    views[vue](ctx)
except StoreUnavailable as error:
    st.error(md(error))
