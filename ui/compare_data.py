"""App-side cache of the Comparer page: results keyed on plain values, over the one cached base (`ui.cache`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicateurs.analysis import compare
from indicateurs.render import compare_charts
from indicateurs.render.tables import csv_bytes, xlsx_bytes
from ui import cache
from ui.cache import base, wide

__all__ = [
    "bar_chart",
    "comparison",
    "comparison_files",
    "labels",
    "names",
    "of_level",
    "pool_keys",
    "profile_chart",
    "screening",
    "screening_files",
    "side_by_side",
    "territories",
]


def territories() -> pd.DataFrame:
    """The base's territory table (shared, read-only)."""
    return base().territories


def labels(keys: tuple[str, ...]) -> dict[str, str]:
    """'Nom (code)' for every option of the territory picker (every territory's label, built once)."""

    def build() -> dict[str, str]:
        t = territories()
        return compare.territory_labels(map(compare.territory_key, t["level"], t["code"]), t)

    every = cache.built("comparer:libelles", None, build)
    missing = [k for k in keys if k not in every]
    # Keys absent from `every` name no territory: labelled from their code, no table to search.
    return {**every, **compare.territory_labels(missing, territories().iloc[:0])} if missing else every


def of_level(level: str) -> pd.DataFrame:
    """The territories of one level, selected once (shared, read-only)."""
    return cache.built("comparer:niveau", level, lambda: territories()[territories()["level"] == level])


def pool_keys(level: str, departement: str | None = None) -> tuple[str, ...]:
    """The picker keys ('epci:200041523') of a level, or of the communes of one département, built once."""

    def build() -> tuple[str, ...]:
        pool = of_level(level)
        if departement is not None:
            pool = pool[pool["departement"] == departement]
        return tuple(compare.territory_key(level, c) for c in pool["code"])

    return cache.built("comparer:cles", (level, departement), build)


def names() -> pd.Series:
    """Territory names indexed by (level, code), built once (shared, read-only)."""
    return cache.built("comparer:noms", None, lambda: territories().set_index(["level", "code"])["nom"])


@st.cache_resource(show_spinner=False, max_entries=64)  # read-only: no copy per read (issue #16)
def comparison(keys: tuple[str, ...]) -> pd.DataFrame:
    """The long comparison table of `keys` over every indicator."""
    levels = {k.split(":", 1)[0] for k in keys}
    quality = {lv: base().quality(lv) for lv in levels}  # « estimé », coverage of thin values
    return compare.comparison_table(
        {lv: wide(lv) for lv in levels},
        list(keys),
        quality=quality,
        vintages=base().millesime,
        reg=base().registry,
        entries=base().source_entry,
    )


def side_by_side(keys: tuple[str, ...], show: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grid, percentiles) of the side-by-side table, built once per selection and display. Read-only."""
    return cache.built(
        "comparer:grille",
        (keys, show),
        lambda: compare.side_by_side(comparison(keys), territories(), show=show),
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def bar_chart(keys: tuple[str, ...], indicator: str):
    """One indicator's bars (a Vega-Lite spec, built once). Read-only."""
    return cache.frozen_chart(compare_charts.indicator_chart(comparison(keys), indicator))


@st.cache_resource(show_spinner=False, max_entries=16)
def profile_chart(keys: tuple[str, ...], indicators: tuple[str, ...]):
    """The radar of percentile profiles (a Vega-Lite spec, built once). Read-only."""
    return cache.frozen_chart(compare_charts.profile_chart(comparison(keys), list(indicators)))


@st.cache_resource(show_spinner=False, max_entries=32)
def comparison_files(keys: tuple[str, ...]) -> tuple[bytes, bytes]:
    """(CSV, XLSX) of the comparison, with a sheet listing the sources."""
    table = comparison(keys)
    out = compare.comparison_export(table)
    sources = pd.DataFrame(
        {
            "Source (millésime) : indicateurs": compare.sources_lines(
                table["indicator"], table["source"], base().registry
            )
        }
    )
    return csv_bytes(out), xlsx_bytes({"Comparaison": out, "Sources": sources})


@st.cache_resource(show_spinner="Classement des EPCI…", max_entries=64)  # read-only, shared
def screening(
    region: str | None,
    departements: tuple[str, ...],
    natures: tuple[str, ...],
    population: tuple[float | None, float | None] | None,
    weights: tuple[tuple[str, float], ...],
    robustness_top: int = 20,
) -> pd.DataFrame:
    """The screening table for these filters and weights."""
    return compare.screening_table(
        wide("epci"),
        territories(),
        region=region,
        departements=departements,
        natures=natures,
        population=population,
        weights=dict(weights),
        robustness_top=robustness_top,
    )


def screening_files(screen: pd.DataFrame, weights: dict[str, float]) -> tuple[bytes, bytes]:
    """(CSV, XLSX) of the shortlist."""
    out = compare.screening_export(
        screen, weights, base().registry, cite=lambda i: base().citation(i, "epci")
    )
    return csv_bytes(out), xlsx_bytes({"Présélection": out})
