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


def drawn_charts(at) -> list[tuple[dict, dict]]:
    """The Vega-Lite charts an AppTest run sent, in page order: (spec, {dataset name: frame}); each is
    valid Vega-Lite with the French locale."""
    import json

    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    out = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        frames = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets}
        assert_valid_vega_lite({**spec, "datasets": {name: [] for name in frames}})
        out.append((spec, frames))
    return out
