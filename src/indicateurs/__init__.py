"""Atlas de l'inclusion numérique: territorial digital-inclusion statistics for France.

The package never imports Streamlit: use it from the CLI (`python -m indicateurs`),
a notebook or the app.
"""

__version__ = "0.1.0"
