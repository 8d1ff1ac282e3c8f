"""Atlas de l'inclusion numérique: entry point (page config, navigation)."""

import streamlit as st

st.set_page_config(page_title="Atlas de l'inclusion numérique", page_icon="🗺️", layout="wide")
pages = [
    st.Page("pages/carte.py", title="Carte", url_path="carte", default=True),
    st.Page("pages/profil.py", title="Profil du territoire", url_path="profil"),
    st.Page("pages/comparer.py", title="Comparer", url_path="comparer"),
    st.Page("pages/ressources.py", title="Ressources", url_path="ressources"),
    st.Page("pages/atelier.py", title="Atelier", url_path="atelier"),
    st.Page("pages/sources.py", title="Sources et méthode", url_path="sources"),
]
st.navigation(pages).run()
