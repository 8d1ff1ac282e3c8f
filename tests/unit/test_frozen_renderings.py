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
