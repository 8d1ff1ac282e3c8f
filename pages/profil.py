"""Page profil (en construction)."""

import streamlit as st

st.title("profil")
st.info("Cette page arrive bientôt.")
