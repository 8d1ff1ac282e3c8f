"""Fixtures shared by the unit tests of the map builder and the cached map halves."""

import geopandas as gpd
import pytest
from shapely.geometry import box


@pytest.fixture
def grid() -> gpd.GeoDataFrame:
    """A 3 x 2 grid of square 'EPCI' around Niort, one of them with HTML in its name."""
    cells = [
        box(-0.5 + 0.1 * i, 46.3 + 0.1 * j, -0.4 + 0.1 * i, 46.4 + 0.1 * j)
        for j in range(2)
        for i in range(3)
    ]
    names = ["<b>x</b>", "Sèvre & Mignon", "Gâtine", "Val", "Haut Val", "Plaine"]
    codes = [f"20000000{n}" for n in range(6)]
    return gpd.GeoDataFrame({"code": codes, "nom": names}, geometry=cells, crs="EPSG:4326")


@pytest.fixture
def serve(monkeypatch):
    """serve.py imported without building the app (its middlewares are what the tests drive)."""
    import importlib
    import sys

    import streamlit as st

    monkeypatch.setattr(st, "App", lambda *args, **kwargs: None)  # no app built at import in tests
    sys.modules.pop("serve", None)
    yield importlib.import_module("serve")
    sys.modules.pop("serve", None)
