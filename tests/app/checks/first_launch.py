"""First launch on an empty store: the app builds the base itself."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest


def base_is_built_on_first_launch(app: AppTest, empty_store: Path, *, n_epci: int) -> None:
    at = app.run(timeout=300)
    assert not at.exception
    assert (empty_store / "base" / "report.json").is_file()
    # the progress panel belongs to the first run; the app then opens the map on the new base
    assert at.title[0].value == "Carte"
    assert len(at.dataframe[0].value) == n_epci
