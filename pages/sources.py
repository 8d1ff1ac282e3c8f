"""Page sources (en construction)."""

import streamlit as st

st.title("sources")
st.info("Cette page arrive bientôt.")
