"""Faults around the built base: corrupted files, read-only store, changed source columns."""

import shutil

import pytest

from indicateurs.base import BaseBuildError, BaseCorruptError, BaseMissingError, load_base
from indicateurs.build import build_base
from indicateurs.sources import loaders

pytestmark = pytest.mark.integration


@pytest.fixture()
def private_store(built_store, tmp_path, monkeypatch):
    """A copy of the built store that a test may damage."""
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    monkeypatch.setenv("INDICATEURS_DATA", str(store))
    return store


def test_missing_base_says_how_to_build(tmp_path):
    with pytest.raises(BaseMissingError, match="python -m indicateurs build"):
        load_base(tmp_path / "nothing")


def test_corrupted_base_is_detected_then_rebuilt(private_store):
    (private_store / "base" / "values.parquet").write_bytes(b"not parquet")
    with pytest.raises(BaseCorruptError, match="Reconstruisez"):
        load_base()
    report = build_base()  # same inputs, but the files are unreadable: not skipped
    assert not report.get("skipped")
    assert len(load_base().wide("epci")) == 1255


def test_up_to_date_build_is_skipped(private_store):
    assert build_base().get("skipped") is True


def test_read_only_store_gives_clear_message(private_store, monkeypatch):
    """Tests run as root, which ignores permission bits: simulate a read-only file system instead."""
    from pathlib import Path

    def read_only(self, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(BaseBuildError, match="lecture seule"):
        build_base(force=True)
    monkeypatch.undo()
    monkeypatch.setenv("INDICATEURS_DATA", str(private_store))
    assert len(load_base().wide("region")) == 18


def test_unwritable_store_keeps_previous_base(private_store, monkeypatch):
    """Simulate a full disk while writing: the error is clear and the previous base still loads."""
    import pandas as pd

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    with pytest.raises(BaseBuildError, match="disque plein"):
        build_base(force=True)
    monkeypatch.undo()
    monkeypatch.setenv("INDICATEURS_DATA", str(private_store))
    assert len(load_base().wide("epci")) == 1255


def test_renamed_column_names_source_and_column(tmp_path):
    bad = tmp_path / "ifn.csv"
    bad.write_text(
        "name,division,code,no_thd_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate\n"
    )
    with pytest.raises(loaders.SourceFormatError, match=r"no_thd_coverage_rate.*") as err:
        loaders.load_ifn_2023(bad)
    assert "ifn_communes_2023" in str(err.value)
