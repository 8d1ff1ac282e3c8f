"""The map drawn from cached halves sends the component exactly what `st_folium` sends for the same map."""

import numpy as np
import pandas as pd
import pytest
import streamlit_folium

from indicateurs.analysis.classify import classify
from indicateurs.render import maps
from ui import folium_frames


def _captured(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: calls.append(kwargs))
    return calls


def _comparable(kwargs: dict) -> dict:
    return {k: v for k, v in kwargs.items() if k != "on_change"}


@pytest.mark.parametrize("url", [None, "/app/static/topo/x_0123.json"])
def test_frame_and_layer_send_what_st_folium_sends(monkeypatch, grid, url):
    values = pd.Series([0.10, 0.20, np.nan, 0.30, 0.25, 0.15], index=grid["code"])
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")

    def parts():
        m = maps.base_map(
            grid, highlight=grid["code"][0], neighbours=[grid["code"][1]], outlines=grid, topology_url=url
        )
        return m, maps.values_layer(grid, values, "part_65_plus", classes)

    calls = _captured(monkeypatch)
    m, layer = parts()
    streamlit_folium.st_folium(
        m, feature_group_to_add=layer, returned_objects=[], key="carte", height=600, use_container_width=True
    )
    m, layer = parts()
    folium_frames.show(folium_frames.frame(m), folium_frames.layer_script(layer), key="carte", height=600)
    expected, got = (_comparable(c) for c in calls)
    assert set(got) == set(expected)
    for name in expected:
        assert got[name] == expected[name], name
    assert "feature_group_feature_group_0" in got["feature_group"]


def test_a_frame_is_reusable_and_the_key_stays_when_only_the_layer_changes(monkeypatch, grid):
    calls = _captured(monkeypatch)
    view = folium_frames.frame(maps.base_map(grid))
    for indicator in ("part_65_plus", "taux_chomage", "part_65_plus"):
        values = pd.Series(np.linspace(0.1, 0.3, 6), index=grid["code"])
        classes = classify(values, "quantiles", k=3, indicator=indicator)
        layer = folium_frames.layer_script(maps.values_layer(grid, values, indicator, classes))
        folium_frames.show(view, layer, key="carte", height=600)
    assert len({c["key"] for c in calls}) == 1  # the same component: the map stays, the layer changes
    assert calls[0]["feature_group"] == calls[2]["feature_group"]
    assert calls[0]["feature_group"] != calls[1]["feature_group"]


def test_a_whole_map_without_layer_sends_what_st_folium_sends(monkeypatch, grid):
    values = pd.Series(np.linspace(0.1, 0.3, 6), index=grid["code"])
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")
    calls = _captured(monkeypatch)
    for draw in ("st_folium", "frame"):
        m = maps.choropleth(grid, values, "part_65_plus", classes, highlight=grid["code"][2], level="EPCI")
        if draw == "st_folium":
            streamlit_folium.st_folium(
                m, returned_objects=[], key="lieux", height=600, use_container_width=True
            )
        else:
            folium_frames.show(folium_frames.frame(m), None, key="lieux", height=600)
    expected, got = (_comparable(c) for c in calls)
    assert got == expected and got["feature_group"] is None


def test_map_component_is_registered_whichever_thread_imported_it(monkeypatch):
    """Imported first by serve.py's first view (no page context), the map's component must still be
    known to the server, or every map frame answers 404."""
    from types import SimpleNamespace

    from streamlit.runtime import Runtime

    from ui import folium_frames

    registered: list[str] = []
    known: dict[str, str] = {}

    class Registry:
        def get_component_path(self, name):
            return known.get(name)

        def register_component(self, component):
            registered.append(component.name)
            known[component.name] = component.path

    runtime = SimpleNamespace(component_registry=Registry())
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: runtime))
    folium_frames._register_component()
    folium_frames._register_component()  # once only
    assert registered == ["streamlit_folium.st_folium"]
