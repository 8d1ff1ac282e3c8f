"""Atelier : les enjeux du territoire croisés avec les chiffres, puis les chantiers et la gouvernance."""

import streamlit as st

from indicateurs.atelier import StoreUnavailable, escape_markdown
from ui import atelier as ui
from ui.safe import md

st.title("Atelier : feuille de route territoriale")
level, code = ui.current_territory()
base = ui.base_or_none()
territoire_nom = ui.territory_name(base, level, code)
st.caption(f"Territoire : {escape_markdown(territoire_nom)} (à changer dans le menu latéral)")

try:
    store = ui.get_store()
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
ui.show_flash()
try:
    atelier = ui.workshop_picker(store, level, code, territoire_nom)
    if atelier is None:
        st.stop()
    commune_noms = ui.communes_of(base, level, code)
    vue = st.radio(
        "Vue",
        ["Participer", "Vue projecteur", "Animation", "Export"],
        horizontal=True,
        key="atelier_vue",
        label_visibility="collapsed",
    )

    if vue == "Participer":
        left, right = st.columns([2, 3], gap="large")
        with left:
            st.subheader("Ajouter un enjeu")
            ui.enjeu_form(store, atelier.id, base, level, code, commune_noms)
        with right:
            ui.enjeu_list(store, atelier.id, commune_noms)

    elif vue == "Vue projecteur":
        ui.projector_view(atelier.id, commune_noms, ui.join_url(level, code, atelier.id))

    elif vue == "Animation":
        st.subheader("Espace animateur")
        pin = ui.pin_gate()
        if pin:
            st.subheader("Chantiers")
            ui.chantier_form(store, atelier.id, pin, ui.place_names(store, base, level, code, commune_noms))
            ui.chantier_list(store, atelier.id, pin)
            st.subheader("Gouvernance")
            ui.gouvernance_form(store, atelier.id, pin)
            ui.enjeu_list(store, atelier.id, commune_noms)

    else:
        st.subheader("Exporter le brouillon de feuille de route")
        ui.export_buttons(store, atelier, base, level, code, territoire_nom, commune_noms)
except StoreUnavailable as error:
    st.error(md(error))
