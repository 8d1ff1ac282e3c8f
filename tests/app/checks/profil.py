"""The Profil page with a territory preset in the session."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.vega_spec import drawn_charts

PAGE = Path(__file__).resolve().parents[3] / "app_pages" / "profil.py"


def page(territoire: tuple[str, str] | None) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    if territoire is not None:
        at.session_state["territoire"] = territoire
    return at.run()


def epci_profile_shows_figures_ladder_and_downloads(base, epci: str, *, population: str) -> None:
    """`population`: the figure shown, as written (spaces as plain spaces)."""
    at = page(("epci", epci))
    assert not at.exception
    nom = base.wide("epci").at[epci, "nom"]
    assert nom in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Population"].replace("\u202f", " ").endswith("hab.")
    assert metrics["Population"].replace("\u202f", " ").replace("\u00a0", " ") == population
    assert "/ 10" in metrics["IFN"].replace("\u00a0", " ")
    captions = " ".join(c.value for c in at.caption)
    assert "La MedNum" in captions and "édition 2023" in captions
    assert at.selectbox(key="profil_indicateur").value == "ifn"
    assert "nan" not in " ".join(m.value for m in at.metric).lower().split()
    [(spec, frames)] = drawn_charts(at)  # the ladder, in Vega-Lite: no Plotly bundle before the map
    ladder = frames["echelle"]
    assert ladder["role"].iloc[0] == "territoire" and ladder["label"].iloc[0] == nom
    assert ladder["x"].iloc[0] == base.wide("epci").at[epci, "ifn"]  # a score: drawn as stored
    dots = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert dots["encoding"]["x"]["title"] == "IFN (score de 1 à 10)"


def changing_the_ladder_indicator(epci: str) -> None:
    at = page(("epci", epci))
    at.selectbox(key="profil_indicateur").set_value("taux_pauvrete").run()
    assert not at.exception
    assert any("Filosofi 2019" in c.value for c in at.caption)
    [(spec, frames)] = drawn_charts(at)
    assert 1 < frames["echelle"]["x"].iloc[0] < 100  # a rate drawn in % (stored as a fraction)
    assert (
        "%"
        in next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")["encoding"]["x"][
            "title"
        ]
    )


def unknown_code_gives_a_french_warning(epci: str) -> None:
    at = page(("epci", epci[:-1]))
    assert not at.exception
    assert at.warning and "inconnu" in at.warning[0].value


def without_territory_shows_france_and_a_hint() -> None:
    at = page(None)
    assert not at.exception
    assert "France" in at.title[0].value
    assert at.info and "Choisissez" in at.info[0].value


def changing_the_map_indicator(epci: str) -> None:
    at = page(("epci", epci))
    at.selectbox(key="profil_carte_indicateur").set_value("taux_chomage").run()
    assert not at.exception
    map_caption = next(c.value for c in at.caption if "Niveau : commune" in c.value)
    assert "RP 2018" in map_caption  # the IFN map said "édition 2023"


def profile_inside_the_app_follows_the_shared_territory(app: AppTest, epci: str, *, nom: str) -> None:
    app.session_state["territoire"] = ("epci", epci)
    at = app.switch_page("app_pages/profil.py").run()
    assert not at.exception
    assert nom in at.title[0].value
    assert at.selectbox(key="territoire_choisi").value == f"epci:{epci}"
