"""Page carte (en construction)."""

import streamlit as st

st.title("carte")
st.info("Cette page arrive bientôt.")
