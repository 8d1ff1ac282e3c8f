"""Cached pandas Stylers marked read-only (`ui.cache.frozen_styler`, issue #16) are sent exactly as the
plain objects would be: same Styler styles and display texts."""

import pandas as pd
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData as ArrowProto
from streamlit.type_util import is_type

from indicateurs.render.tables import french_style
from ui import cache


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


def _sent(spec: dict):
    """The chart message `st.vega_lite_chart` builds: (spec JSON, {dataset name: frame})."""
    import json

    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    from streamlit.elements.vega_charts import _marshall_chart_data, _prepare_vega_lite_spec
    from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart

    proto = VegaLiteChart()
    prepared = _prepare_vega_lite_spec(spec, True)
    _marshall_chart_data(proto, prepared, None)
    return json.dumps(prepared, sort_keys=True), {
        d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets
    }


def test_frozen_chart_sends_the_same_chart_as_the_plain_spec():
    from indicateurs.render.charts import spec

    rows = [{"nom": "Niort", "x": 31.5, "texte": "31,5 %"}, {"nom": "Lens", "x": None, "texte": "secret"}]
    layer = {
        "data": {"name": "barres"},
        "mark": "bar",
        "encoding": {"x": {"field": "x"}, "y": {"field": "nom"}},
    }
    plain = spec([layer], {"barres": rows})
    frozen = cache.frozen_chart(plain)
    assert plain["datasets"]["barres"] is rows  # the plain spec is left as it was
    (plain_json, plain_data), (frozen_json, frozen_data) = _sent(plain), _sent(frozen)
    assert frozen_json == plain_json
    pd.testing.assert_frame_equal(frozen_data["barres"], plain_data["barres"])
    assert frozen_data["barres"]["x"].isna().tolist() == [False, True]  # missing stays missing, not 0
