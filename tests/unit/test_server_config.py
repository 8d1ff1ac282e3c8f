"""The server settings that the measured costs of issue #16 rest on (`.streamlit/config.toml`)."""

import tomllib
from pathlib import Path

from streamlit import config

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_no_full_garbage_collection_after_each_run():
    """Streamlit's default `gc.collect(2)` after every run cost ~0.18 s of CPU per click (bench.ws_load)."""
    assert SETTINGS["runner"]["postScriptGC"] is False
    assert config.get_option("runner.postScriptGC") in (True, False)  # the option still exists


def test_no_file_watcher_in_a_deployment():
    assert SETTINGS["server"]["fileWatcherType"] == "none"
