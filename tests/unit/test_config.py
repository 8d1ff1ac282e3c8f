"""Every environment variable is read through indicateurs.config."""

import re
from pathlib import Path

import pytest

from indicateurs import config

ROOT = Path(__file__).resolve().parents[2]


def test_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://atlas@localhost/atelier")
    monkeypatch.setenv("ATELIER_PIN", "")
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    assert config.base_dir() == tmp_path / "base"
    assert config.database_url() == "postgresql://atlas@localhost/atelier"
    assert config.atelier_pin() is None  # empty counts as unset
    assert config.mirror_dir() is None


def test_unknown_setting_is_refused():
    with pytest.raises(KeyError):
        config.setting("PATH")


def test_no_other_module_reads_the_environment():
    readers = []
    for folder in ("src", "ui", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "config.py":
                continue
            if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8")):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_every_setting_is_in_the_docstring_table():
    for name in config.SETTINGS:
        assert f"`{name}`" in config.__doc__
