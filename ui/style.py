"""Page CSS: the map legend, and the projector mode (large type, strong contrast, no sidebar)."""

from __future__ import annotations

import streamlit as st

__all__ = ["BASE_CSS", "inject"]

BASE_CSS = """
.atlas-legend { font-size: 1rem; line-height: 1.4; }
.atlas-legend-title { font-weight: 700; margin-bottom: .4rem; }
.atlas-legend-row { display: flex; align-items: center; gap: .5rem; margin: .15rem 0; }
.atlas-swatch { display: inline-block; width: 1.6em; height: 1em; border: 1px solid #444; flex: none; }
.atlas-count { color: #555; }
.atlas-legend-source { margin-top: .5rem; font-size: .85rem; color: #333; }
"""

_PROJECTOR = """
html { font-size: 22px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="collapsedControl"] { display: none !important; }
[data-testid="stMain"], .stApp { background: #ffffff; color: #000000; }
h1 { font-size: 2.4rem !important; } h2, h3 { font-size: 1.8rem !important; }
p, li, label, .stMarkdown, [data-testid="stCaptionContainer"] { color: #000000 !important; }
.stCaption, .stCaption *, [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { font-size: 1rem !important; color: #000 !important; }
h1 { margin-bottom: 0 !important; }
.atlas-legend { font-size: 1.25rem; }
.atlas-swatch { width: 2.2em; height: 1.3em; border: 2px solid #000; }
.atlas-count, .atlas-legend-source { color: #000; }
.block-container { padding-top: 1rem; max-width: 100%; }
"""


def inject(projector: bool = False) -> None:
    """Add the app's CSS once per run; the projector rules only when the mode is on."""
    css = BASE_CSS + (_PROJECTOR if projector else "")
    st.html(f"<style>{css}</style>")
