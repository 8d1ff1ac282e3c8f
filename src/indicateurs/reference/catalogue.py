"""The sources catalogues: the one place that names URLs, licences and millésimes.

Two catalogues, one format: `catalogue.toml` (the pinned snapshot, "figés") and
`catalogue_courant.toml` (the producers' own endpoints and how to find their newest release,
"courants"). `INDICATEURS_MILLESIMES` chooses; both use the same source ids (an id names the role
of a source in the build, the vintage actually used is recorded by the fetch and the build)."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indicateurs.config import millesimes

__all__ = ["Source", "get_source", "list_sources", "load_catalogue"]

_CATALOGUES = {"figes": "catalogue.toml", "courants": "catalogue_courant.toml"}


@dataclass(frozen=True)
class Source:
    """One published file: where it lives publicly, in the mirror and in the local store."""

    id: str
    title: str
    theme: str
    producer: str
    citation: str
    licence: str
    millesime: str
    url: str
    mirror_path: str
    file: str
    format: str
    relation: str
    notes: str = ""
    download: str = ""  # what `fetch` does to a download to match the mirror file, or why it cannot
    columns: tuple[str, ...] = ()  # required CSV columns / JSON keys / GeoJSON properties
    sep: str = ","  # CSV separator of the stored file
    derive: str = ""  # post-download transform (see `indicateurs.derive`), "" = none
    member: str = ""  # file to take out of a downloaded zip archive
    pad: tuple[tuple[str, int], ...] = ()  # code columns zero-padded by the transform: (column, width)
    # Current catalogue only: how to find the newest release (see `indicateurs.sources.resolve`).
    resolve: str = ""  # "" (url serves the newest), "fige" (pinned, no endpoint), "datagouv", "annee", "npm"
    url_pattern: str = ""  # download URL with {annee} or {version}
    resource_title: str = ""  # data.gouv.fr: regular expression on the resource title
    resource_format: str = ""  # data.gouv.fr: resource format (csv, json, zip…)
    documentation: str = ""  # the producer's field dictionary the loader was written from

    @property
    def urls(self) -> list[str]:
        """Some sources are published as several files (space-separated URLs)."""
        return self.url.split()


def _load() -> dict[str, Source]:
    """The catalogue of the current mode (`INDICATEURS_MILLESIMES`), parsed once per mode."""
    return load_catalogue(millesimes())


@cache
def load_catalogue(mode: str) -> dict[str, Source]:
    """Source id -> Source of catalogue `mode` ("figes" or "courants")."""
    with Path(__file__).with_name(_CATALOGUES[mode]).open("rb") as f:
        raw = tomllib.load(f)
    return {entry["id"]: Source(**_freeze(entry)) for entry in raw["sources"]}


def _freeze(entry: dict) -> dict:
    """TOML lists and tables become tuples so that a Source stays hashable."""
    entry = dict(entry)
    entry["columns"] = tuple(entry.get("columns", ()))
    entry["pad"] = tuple(entry.get("pad", {}).items())
    return entry


def list_sources() -> list[Source]:
    """All sources, in catalogue order."""
    return list(_load().values())


def get_source(source_id: str) -> Source:
    """The catalogue entry of `source_id`; a clear error with close matches otherwise."""
    sources = _load()
    if source_id not in sources:
        close = difflib.get_close_matches(source_id, sources, n=3)
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        raise ValueError(f"Source inconnue : {source_id!r}.{hint}")
    return sources[source_id]
