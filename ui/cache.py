"""The app's one cache of the built base: the base, its wide frames, boundaries and TopoJSON shapes.

Everything here lives in `st.cache_resource`: ONE object per server process, shared by every session
and every page, never copied (`st.cache_data` would copy a 35 000-row frame on every read).
So these objects are READ-ONLY: a caller that must change a frame copies it first
(`frame.copy()`, or `frame.assign(...)`, `reindex`, boolean selection, which return new frames).
`tests/app/test_cache.py` runs the pages and checks the cached frames come back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from indicateurs.base import GEO_SOURCES, Base, BaseCorruptError, BaseMissingError, load_base
from indicateurs.build import build_base
from indicateurs.errors import AtlasError
from indicateurs.render import maps
from indicateurs.render.insets import with_insets
from ui.safe import md

__all__ = [
    "base",
    "built",
    "ensure_base",
    "france_geometry",
    "france_topology",
    "frozen_chart",
    "frozen_styler",
    "geometry",
    "subset",
    "topology",
    "wide",
]

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def base() -> Base:
    """The built base, read once per server process (read-only)."""
    return load_base()


BUILD_RETRY_SECONDS = 120


@st.cache_resource(show_spinner=False, ttl=BUILD_RETRY_SECONDS)
def _failed_build() -> dict:
    """The last failed build of this process ({"message": …}), forgotten after BUILD_RETRY_SECONDS:
    each page visit must not spend a full build attempt (the network's retries included) again."""
    return {}


def ensure_base() -> Base | None:
    """The base; when it was never built (or is damaged), build it now with a visible progress bar.

    None when it cannot be built: the reason is shown in an error box (not folded inside the build
    status), and the caller decides which pages still work (the Atelier does without figures).
    """
    try:
        loaded = base()
        for level in GEO_SOURCES:  # a missing or damaged outline file is found here, not inside a map
            geometry(level)
        return loaded
    except (BaseMissingError, BaseCorruptError):  # never built, or damaged: (re)build it
        base.clear()
        geometry.clear()
    failed = _failed_build()
    if "message" not in failed:
        with st.status("Première ouverture : construction de la base de données…", expanded=True) as status:
            st.caption(
                "Une seule fois : l'atlas lit ses sources (miroir local ou internet), construit les communes "
                "et les territoires, puis calcule les indicateurs. Comptez une à quelques minutes."
            )
            bar = st.progress(0.0, text="Lecture des sources de données")

            def progress(step: str, fraction: float) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=step)

            try:
                build_base(progress=progress)
            except AtlasError as exc:  # a missing source or mirror: say it in French, no traceback
                failed["message"] = str(exc)
                status.update(label="La base n'a pas pu être construite", state="error", expanded=False)
            else:
                status.update(label="Base construite", state="complete", expanded=False)
    if "message" in failed:
        st.error(
            f"Impossible de construire la base : {md(failed['message'])}. Vérifiez la connexion ou la "
            "variable INDICATEURS_MIROIR, puis rechargez la page (nouvel essai au plus toutes les "
            f"{BUILD_RETRY_SECONDS // 60} minutes). L'Atelier reste ouvert, sans les chiffres du territoire."
        )
        return None
    for cached in (base, wide, geometry, topology, france_geometry, france_topology, built):
        cached.clear()
    return base()


@st.cache_resource(show_spinner=False)
def wide(level: str) -> pd.DataFrame:
    """One row per territory of `level` (index = code): `nom` and one column per indicator. Read-only."""
    return base().wide(level)


@st.cache_resource(show_spinner=False)
def geometry(level: str) -> gpd.GeoDataFrame:
    """Web boundaries of one level (`code`, `nom`, `geometry`). Read-only."""
    return base().geometry(level)


def subset(level: str, codes: Iterable[str] | None) -> gpd.GeoDataFrame:
    """The boundaries of `codes` (all of the level when None), in the layer's order: a new frame."""
    gdf = geometry(level)
    if codes is None:
        return gdf
    return gdf[gdf["code"].isin(set(codes))].reset_index(drop=True)


@st.cache_resource(show_spinner=False, max_entries=64)
def topology(level: str, codes: tuple[str, ...] | None = None) -> dict:
    """Quantised TopoJSON of the boundaries of `codes` (all of the level when None), built once. Read-only."""
    return maps.to_topology(subset(level, codes))


@st.cache_resource(show_spinner=False, max_entries=512)
def built(kind: str, key: Hashable, _build: Callable[[], T]) -> T:
    """What `_build()` returns, built once per (`kind`, `key`) for the whole server. Read-only.

    For the renderings that depend only on the base and a few strings: a map's frame per scope and
    territory, a values layer, legend and table per indicator (`ui.carte`). `key` must name everything
    `_build` reads (`_build` itself is not hashed); 512 entries of at most a few hundred kB each.
    """
    return _build()


@st.cache_resource(show_spinner=False)
def france_geometry(level: str) -> gpd.GeoDataFrame:
    """Boundaries of `level` for a map of France: the overseas départements moved into insets
    (`render.insets`), computed once per level and shared. Read-only; never use it for distances."""
    return with_insets(geometry(level))


@st.cache_resource(show_spinner=False)
def france_topology(level: str) -> dict:
    """Quantised TopoJSON of `france_geometry(level)`, built once. Read-only."""
    return maps.to_topology(france_geometry(level))


def frozen_chart(spec: dict) -> dict:
    """A Vega-Lite spec (`render.charts`) with its datasets turned into Arrow tables once: on every run
    `st.vega_lite_chart` converts list-of-rows datasets to Arrow again (1.5 to 2 ms a chart, four
    charts on the Comparer); a table is only written out (0.2 to 0.4 ms). Read-only: the spec is
    shared by every session."""
    import pyarrow as pa

    tables = {
        name: rows
        if isinstance(rows, pa.Table)
        else pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
        for name, rows in spec.get("datasets", {}).items()
    }
    return {**spec, "datasets": tables}


def frozen_styler(styler):
    """`styler` (pandas), computed now and marked read-only: `st.dataframe` recomputes a Styler's
    styles and display texts on every run (`_compute`, `_translate`: 10 to 20 ms a table); a Styler
    cached for the whole server gives the same ones each time. Returns the same object."""
    from pandas.io.formats.style import Styler

    if isinstance(styler, Styler) and not isinstance(styler, _FrozenStyler):
        styler.__class__ = _FrozenStyler
        styler._atlas_translated = {}
        styler._atlas_computed = False
        styler._translate(False, False)  # built here, under the cache's lock, not by two sessions at once
    return styler


def _frozen_styler_class():
    from pandas.io.formats.style import Styler

    class FrozenStyler(Styler):
        """A Styler whose styles and texts are computed once (see `frozen_styler`); read-only."""

        def _compute(self):
            if not self._atlas_computed:
                super()._compute()
                self._atlas_computed = True
            return self

        def _translate(self, *args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            if key not in self._atlas_translated:
                self._compute()
                self._atlas_translated[key] = super()._translate(*args, **kwargs)
            return self._atlas_translated[key]

    # Streamlit recognises a Styler by its qualified type name ("pandas.io.formats.style.Styler").
    FrozenStyler.__module__, FrozenStyler.__qualname__, FrozenStyler.__name__ = (
        Styler.__module__,
        "Styler",
        "Styler",
    )
    return FrozenStyler


_FrozenStyler = _frozen_styler_class()
