"""First launch on an empty store: the app builds the base itself (here from the synthetic mirror).

The first test's body is shared with the real-data layer (tests/app/checks/first_launch.py)."""

import pytest

from tests.app.checks import first_launch as check


@pytest.fixture
def empty_store(synthetic_store, tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MIROIR", str(synthetic_store.parent / "mirror"))
    with check.empty_store(monkeypatch, tmp_path / "store") as store:
        yield store


def test_missing_base_is_built_on_first_launch(empty_store, app):
    check.base_is_built_on_first_launch(app, empty_store, n_epci=2)  # the two synthetic EPCI


def test_first_launch_says_what_really_happens_in_french(synthetic_store, tmp_path):
    """The progress bar named raw source ids and said 'Téléchargement' while copying the mirror
    (issue #17, item 12): it now names each source by its catalogue title and says where it comes from."""
    from indicateurs.build import build_base
    from indicateurs.build.pipeline import SOURCES
    from indicateurs.reference.catalogue import get_source
    from tests.synthetic import environment

    steps: list[str] = []
    with environment(tmp_path / "store", synthetic_store.parent / "mirror"):
        build_base(progress=lambda step, fraction: steps.append(step))
    text = "\n".join(steps)
    assert steps[0] == "Lecture des sources de données"
    assert "Téléchargement" not in text and "téléchargement" not in text  # nothing was downloaded
    for source_id in SOURCES:
        assert source_id not in text  # raw ids never shown
        assert f"{get_source(source_id).title} : copie depuis le miroir local" in text
    assert "Construction des communes, EPCI, départements et régions (COG 2025)" in steps
    assert steps[-1] == "Base construite"

    again: list[str] = []
    with environment(tmp_path / "store", synthetic_store.parent / "mirror"):
        build_base(progress=lambda step, fraction: again.append(step))
    assert f"{get_source(SOURCES[0]).title} : déjà dans le magasin local" in again
    assert again[-1] == "Base déjà à jour"


def test_the_app_shows_french_words_before_its_heavy_imports():
    """The first page stayed blank for seconds while geopandas and folium were imported: app.py says
    what is happening first."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "app.py").read_text(encoding="utf-8")
    first_words = source.index("Ouverture de l'atlas")
    assert first_words < source.index("from ui import")
