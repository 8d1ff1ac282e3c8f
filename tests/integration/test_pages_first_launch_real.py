"""First launch on an empty store: the app builds the base itself, with visible progress.

The body is shared with the synthetic layer (tests/app/checks/first_launch.py)."""

import pytest

from tests.app.checks import first_launch as check
from tests.conftest import mirror_or_skip

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    mirror_or_skip()
    with check.empty_store(monkeypatch, tmp_path / "store") as store:
        yield store


def test_missing_base_is_built_on_first_launch(empty_store, app):
    check.base_is_built_on_first_launch(app, empty_store, n_epci=1255)
