"""Shared fixtures. The store used by tests is set before any app code reads the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The page test bodies shared by the synthetic and the real-data layers: failures there show values too.
pytest.register_assert_rewrite("tests.app.checks")

ROOT = Path(__file__).resolve().parents[1]
STORE = Path(os.environ.get("INDICATEURS_TEST_STORE", ROOT / "artifacts" / "test-store"))
os.environ["INDICATEURS_DATA"] = str(STORE)
# CI passes a relative mirror path (../shared/data); some tests change the working directory.
if os.environ.get("INDICATEURS_MIROIR"):
    os.environ["INDICATEURS_MIROIR"] = str(Path(os.environ["INDICATEURS_MIROIR"]).resolve())
ARTIFACTS = ROOT / "artifacts"


def mirror_or_skip() -> Path:
    mirror = os.environ.get("INDICATEURS_MIROIR")
    if not mirror or not Path(mirror).is_dir():
        pytest.skip("INDICATEURS_MIROIR is not set to the data mirror")
    return Path(mirror).resolve()


@pytest.fixture(scope="session")
def built_store() -> Path:
    """The test store with the base built from the mirror (once per session, then reused)."""
    mirror_or_skip()
    from indicateurs.build import build_base

    build_base()
    return STORE


@pytest.fixture(scope="session")
def base(built_store):
    from indicateurs.base import load_base

    return load_base()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory) -> Path:
    """A store holding the base built by the real `build_base` from the fake sources of
    `tests/synthetic.py` (8 communes of Corse-du-Sud, 2 EPCI): no mirror needed."""
    from tests.synthetic import build_synthetic

    store, _report = build_synthetic(tmp_path_factory.mktemp("synthetic"))
    return store


@pytest.fixture(scope="session")
def synthetic_base(synthetic_store):
    from indicateurs.base import load_base

    return load_base(synthetic_store / "base")


@pytest.fixture
def media(monkeypatch):
    """Keep the in-memory media store AppTest creates, to read the files the page serves."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", Recording)
    return stores
