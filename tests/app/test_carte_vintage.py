"""The Carte page's caption, legend and CSV say the vintage the base holds, not the catalogue's (#15)."""

from __future__ import annotations

import json
import shutil

import streamlit as st
from streamlit.testing.v1 import app_test

from tests.synthetic import environment

NEW = "édition 2025 du portail IFN"


def test_map_caption_and_legend_show_the_base_vintage(synthetic_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(synthetic_store / "base", store / "base")
    path = store / "base" / "report.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    report["provenance"]["ifn_communes_2023"] = {"millesime": NEW, "catalogue": "courants", "repli": None}
    path.write_text(json.dumps(report), encoding="utf-8")
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        with environment(store, None):
            at = app_test.AppTest.from_file("../../app.py", default_timeout=120).run()
            assert not at.exception
            captions = " ".join(c.value for c in at.caption)
            legend = " ".join(el.proto.body for el in at.get("html") if "atlas-legend" in el.proto.body)
            assert f"La MedNum, Indice de fragilité numérique ({NEW})" in captions
            assert NEW in legend and "édition 2023" not in legend + captions
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
