"""Page ressources (en construction)."""

import streamlit as st

st.title("ressources")
st.info("Cette page arrive bientôt.")
