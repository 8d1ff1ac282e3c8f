"""Atlas de l'inclusion numérique: entry point (page config, navigation, shared territory selector)."""

import streamlit as st

from ui import cache, safe, state, style

carte = st.Page("app_pages/carte.py", title="Carte", icon="🗺️", url_path="carte")


def _home() -> None:
    """The bare address opens the map, so that every page keeps its short URL (/carte included)."""
    st.switch_page(carte, query_params=st.query_params.to_dict())


pages = [
    st.Page(_home, title="Accueil", url_path="accueil", default=True, visibility="hidden"),
    carte,
    st.Page("app_pages/profil.py", title="Profil du territoire", icon="📋", url_path="profil"),
    st.Page("app_pages/comparer.py", title="Comparer", icon="📊", url_path="comparer"),
    st.Page("app_pages/ressources.py", title="Ressources", icon="📍", url_path="ressources"),
    st.Page("app_pages/atelier.py", title="Atelier", icon="🧩", url_path="atelier"),
    st.Page("app_pages/sources.py", title="Sources et méthode", icon="📚", url_path="sources"),
]
page = st.navigation(pages)
st.set_page_config(page_title=f"{page.title} · Atlas de l'inclusion numérique", page_icon="🗺️", layout="wide")
try:
    projector = state.projector_toggle()
    style.inject(projector)
    if cache.ensure_base() is not None:
        state.territory_selector()
    elif page.url_path != "atelier":  # the Atelier works without figures: enjeux can still be typed
        st.stop()
    if page.title != "Accueil":  # the home page only redirects to the map
        state.show_notices()
    page.run()
except Exception as exc:  # the last net: one French sentence, the traceback in the server log
    safe.report_error(exc)
