"""Where the local store lives: raw downloads, the built base and the workshop database."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MILLESIMES", "base_dir", "data_dir", "millesimes", "mirror_dir", "raw_dir"]

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """The store root: `INDICATEURS_DATA` if set, else the repository's `data/` folder."""
    return Path(os.environ.get("INDICATEURS_DATA") or _REPO_DATA)


MILLESIMES = ("figes", "courants")


def millesimes() -> str:
    """Which catalogue the build uses: `figes` (the pinned snapshot, default) or `courants` (the
    newest release each producer announces), from `INDICATEURS_MILLESIMES`."""
    value = (os.environ.get("INDICATEURS_MILLESIMES") or "figes").strip().lower().replace("é", "e")
    if value not in MILLESIMES:
        raise ValueError(f"INDICATEURS_MILLESIMES doit valoir « figes » ou « courants » (reçu : {value!r}).")
    return value


def raw_dir() -> Path:
    """Source files as fetched (downloaded or copied from the mirror); the current releases are kept
    apart from the pinned snapshot so that switching back never reads a newer file by mistake."""
    return data_dir() / ("raw" if millesimes() == "figes" else "raw-courants")


def base_dir() -> Path:
    """The built base (Parquet/GeoParquet)."""
    return data_dir() / "base"


def mirror_dir() -> Path | None:
    """The offline mirror named by `INDICATEURS_MIROIR`, if any."""
    value = os.environ.get("INDICATEURS_MIROIR")
    return Path(value).expanduser().resolve() if value else None
