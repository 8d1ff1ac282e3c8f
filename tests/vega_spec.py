"""Checks shared by the chart tests: a spec is valid Vega-Lite (Altair's schema, the version Streamlit
bundles) and reads numbers the French way."""

from __future__ import annotations

import altair as alt

from indicateurs.render.charts import LOCALE


def assert_valid_vega_lite(spec: dict) -> None:
    """Raises when `spec` breaks the Vega-Lite schema (a chart the browser would refuse to draw)."""
    alt.LayerChart.from_dict(spec, validate=True)
    assert spec["config"]["locale"] == LOCALE
    assert LOCALE["number"]["decimal"] == "," and LOCALE["number"]["thousands"] == "\u202f"
    assert spec["width"] == "container"  # as wide as the phone: no title clipped
