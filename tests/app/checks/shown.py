"""What an AppTest run shows, read the same way by every page test."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def legend(at: AppTest) -> str:
    return " ".join(el.proto.body for el in at.get("html") if "atlas-legend" in el.proto.body)


def _map_args(at: AppTest) -> list[dict]:
    return [
        json.loads(el.proto.json_args) for el in at.get("component_instance") if "L.map(" in str(el.proto)
    ]


def map_script(at: AppTest) -> str:
    """The folium map sent to st_folium (its Leaflet script), as text."""
    return " ".join(json.dumps(a, ensure_ascii=False) for a in _map_args(at))


def fit_bounds(at: AppTest) -> list[list[float]]:
    """The last `fitBounds` of the first map: [[south, west], [north, east]]."""
    found = re.findall(r"fitBounds\(\s*(\[\[.*?\]\])", _map_args(at)[0]["script"], re.S)
    return json.loads(found[-1])


def frame_with(at: AppTest, column: str):
    """The first table shown with a column `column`."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")
