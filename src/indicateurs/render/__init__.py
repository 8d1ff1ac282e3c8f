"""Views without Streamlit: maps, charts, tables (CSV/XLSX), profile files and PDF."""
