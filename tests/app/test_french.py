"""Every page speaks French: no English word of the catalogue, the PDF jargon or Streamlit's defaults in
the text, labels, help, options and table cells that AppTest sees (issue #17, item 3).

Text quoted between « » is left out: a caption may quote the browser's English to translate it.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.app.checks.smoke import PAGES

ENGLISH = re.compile(
    r"\b(the|of|and|with|from|to|not|stated|repository|edition|commit|built|confirm|redistribution|"
    r"upload|select|matches|help|file|files|about|list|study|data as|Pctl|module scores|percentile)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"«[^»]*»")
ATTRIBUTES = ("value", "label", "help", "placeholder", "body", "options", "caption")


def _texts(node) -> list[str]:
    """Every string an element carries (its value, label, help, options, table cells and headers)."""
    out: list[str] = []
    for attr in ATTRIBUTES:
        try:
            value = getattr(node, attr)
        except Exception:
            continue
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, pd.DataFrame):
            out += [str(c) for c in value.columns]
            for column in value.columns:
                if value[column].dtype == object:
                    out += [str(v) for v in value[column].dropna().tolist()]
        elif isinstance(value, (list, tuple)):
            out += [v for v in value if isinstance(v, str)]
    for child in getattr(node, "children", {}).values():
        out += _texts(child)
    return out


def english_in(at) -> list[str]:
    found = []
    for text in _texts(at._tree):
        bare = QUOTED.sub("", text)
        bare = re.sub(r"https?://\S+", "", bare)  # links are addresses, not words
        if ENGLISH.search(bare):
            found.append(text)
    return found


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_english(app, page):
    at = app.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert english_in(at) == []


def test_carte_caption_names_the_classes_with_their_acronym(app):
    at = app.switch_page("app_pages/carte.py").run()
    at.radio(key="classement").set_value("ifn").run()
    caption = next(c.value for c in at.caption if c.value.startswith("Source :"))
    assert "Classes : classes fixes de l'IFN (1 à 10)." in caption
    assert "l'ifn" not in caption


@pytest.mark.parametrize("page", PAGES)
def test_no_multiselect_offers_select_n_matches(app, page):
    """'Select N matches' is English and took every match on Enter (issue #17, items 3 and 11)."""
    at = app.switch_page(page).run()
    for widget in at.multiselect:
        assert widget.proto.select_all == 0, widget.key


@pytest.mark.parametrize("page", PAGES)
def test_page_of_an_epci_has_no_english(app, page):
    from tests.synthetic import EPCI_A

    app.query_params["territoire"] = f"epci:{EPCI_A}"
    at = app.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert english_in(at) == []


def test_comparison_of_two_epci_has_no_english(app):
    from tests.synthetic import EPCI_A, EPCI_B

    app.query_params["selection"] = f"epci:{EPCI_A},epci:{EPCI_B}"
    at = app.switch_page("app_pages/comparer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe, "the comparison is drawn"
    assert english_in(at) == []
