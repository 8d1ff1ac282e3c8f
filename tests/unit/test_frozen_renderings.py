"""Cached plotly figures and pandas Stylers marked read-only (`ui.cache.frozen_*`, issue #16) are sent
exactly as the plain objects would be: same plotly JSON, same Styler styles and display texts."""

import pandas as pd
import plotly.graph_objects as go
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData as ArrowProto
from streamlit.type_util import is_type

from indicateurs.render.tables import french_style
from ui import cache


def _figure() -> go.Figure:
    return go.Figure(go.Bar(x=["Niort", "Lens"], y=[0.31, 0.27])).update_layout(title="Part")


def test_frozen_figure_gives_the_plain_figure_dict_once():
    frozen = cache.frozen_figure(_figure())
    assert frozen.to_dict() == _figure().to_dict()
    assert frozen.to_dict() is frozen.to_dict()  # built once
    assert is_type(frozen, "plotly.graph_objs._figure.Figure")


def _marshalled(styler) -> ArrowProto:
    proto = ArrowProto()
    marshall_styler(proto, styler, "uuid")
    return proto


def test_frozen_styler_marshals_like_the_plain_styler():
    frame = pd.DataFrame(
        {"Commune": ["Niort", "Lens"], "Population": [59005.0, None], "Lieux (km)": [1.25, 3.5]}
    )
    plain = french_style(frame).set_uuid("abc")
    frozen = cache.frozen_styler(french_style(frame).set_uuid("abc"))
    assert is_type(frozen, "pandas.io.formats.style.Styler")
    for _ in range(2):  # the second run reads what the first computed
        got, want = _marshalled(frozen), _marshalled(plain)
        assert got.styler.display_values == want.styler.display_values
        assert got.styler.styles == want.styler.styles and got.styler.uuid == want.styler.uuid
