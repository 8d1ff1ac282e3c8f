"""Interim mirror-only fetch (replaced by the full fetch layer: download, validation, store manifest)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from indicateurs.catalogue import get_source
from indicateurs.store import raw_dir

__all__ = ["fetch"]


def fetch(source_id: str, progress=None, force: bool = False) -> Path:
    """Copy the source file from INDICATEURS_MIROIR into the store (once)."""
    src = get_source(source_id)
    dest = raw_dir() / src.file
    if force or not dest.exists():
        mirror = os.environ.get("INDICATEURS_MIROIR")
        if not mirror:
            raise RuntimeError(f"Source {source_id} absente du magasin et INDICATEURS_MIROIR non défini.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(mirror) / src.mirror_path, dest)
    return dest
