"""The build fingerprint covers whole code folders: a change in analysis/ (scores, access) rebuilds the base.

The old fingerprint hashed a hand-kept file list without `scores/` nor `access.py`: changing the
composite method left the base "à jour" with old values.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indicateurs.build import pipeline
from tests.synthetic import environment, write_mirror

PACKAGE = Path(pipeline.__file__).resolve().parents[1]


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the package the fingerprint reads instead of the real one."""
    copy = tmp_path / "indicateurs"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pipeline, "__file__", str(copy / "build" / "pipeline.py"))
    return copy


def _fingerprint(tmp_path) -> str:
    source = tmp_path / "source.csv"
    if not source.exists():
        source.write_text("code\n2A004\n", encoding="utf-8")
    return pipeline._fingerprint({"ifn_communes_2023": source})


@pytest.mark.parametrize(
    "changed",
    ["analysis/scores/composite.py", "analysis/access.py", "reference/indicators.toml", "sources/loaders.py"],
)
def test_a_change_in_the_build_code_changes_the_fingerprint(package_copy, tmp_path, changed):
    before = _fingerprint(tmp_path)
    assert _fingerprint(tmp_path) == before
    with (package_copy / changed).open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert _fingerprint(tmp_path) != before


def test_a_new_file_in_analysis_changes_the_fingerprint(package_copy, tmp_path):
    before = _fingerprint(tmp_path)
    (package_copy / "analysis" / "scores" / "weights.py").write_text("W = 1\n", encoding="utf-8")
    assert _fingerprint(tmp_path) != before


def test_views_do_not_change_the_fingerprint(package_copy, tmp_path):
    before = _fingerprint(tmp_path)
    with (package_copy / "render" / "charts.py").open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert _fingerprint(tmp_path) == before


def test_build_is_skipped_when_nothing_changed_and_redone_when_analysis_changes(package_copy, tmp_path):
    mirror = write_mirror(tmp_path / "mirror")
    with environment(tmp_path / "store", mirror):
        first = pipeline.build_base()
        assert "skipped" not in first
        again = pipeline.build_base()
        assert again.get("skipped") is True and again["fingerprint"] == first["fingerprint"]

        with (package_copy / "analysis" / "scores" / "composite.py").open("a", encoding="utf-8") as f:
            f.write("\n# another composite method\n")
        rebuilt = pipeline.build_base()
    assert "skipped" not in rebuilt
    assert rebuilt["fingerprint"] != first["fingerprint"]
