"""Page atelier (en construction)."""

import streamlit as st

st.title("atelier")
st.info("Cette page arrive bientôt.")
