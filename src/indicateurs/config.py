"""Where the local store lives: raw downloads, the built base and the workshop database."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["base_dir", "data_dir", "mirror_dir", "raw_dir"]

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """The store root: `INDICATEURS_DATA` if set, else the repository's `data/` folder."""
    return Path(os.environ.get("INDICATEURS_DATA") or _REPO_DATA)


def raw_dir() -> Path:
    """Source files as fetched (downloaded or copied from the mirror)."""
    return data_dir() / "raw"


def base_dir() -> Path:
    """The built base (Parquet/GeoParquet)."""
    return data_dir() / "base"


def mirror_dir() -> Path | None:
    """The offline mirror named by `INDICATEURS_MIROIR`, if any."""
    value = os.environ.get("INDICATEURS_MIROIR")
    return Path(value).expanduser().resolve() if value else None
