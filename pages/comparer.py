"""Page comparer (en construction)."""

import streamlit as st

st.title("comparer")
st.info("Cette page arrive bientôt.")
