"""The sources catalogues: the one place that names URLs, licences and millésimes.

Two catalogues, one format: `catalogue.toml` (the pinned snapshot, "figés") and
`catalogue_courant.toml` (the producers' own endpoints and how to find their newest release,
"courants"). `INDICATEURS_MILLESIMES` chooses; both use the same source ids (an id names the role
of a source in the build, the vintage actually used is recorded by the fetch and the build)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indicateurs.config import millesimes
from indicateurs.reference.text import did_you_mean

__all__ = ["Source", "find_source", "get_source", "list_sources", "load_catalogue", "sources_caption"]

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
    # How a page names the source in French (offer sources: place tooltips, page captions)
    label: str = ""  # 'ANCT, Espaces France Services'
    date: str = ""  # the short French millésime: 'février 2023'
    caveat: str = ""  # what the reader must know: 'extrait partiel'
    # Current catalogue only: how to find the newest release (see `indicateurs.sources.resolve`).
    # "" (url serves the newest), "fige" (pinned, no endpoint), "datagouv", "annee", "npm", "pynsee", "cartiflette"
    resolve: str = ""
    url_pattern: str = ""  # download URL with {annee} or {version}
    resource_title: str = ""  # data.gouv.fr: regular expression on the resource title
    resource_format: str = ""  # data.gouv.fr: resource format (csv, json, zip…)
    pynsee_link: str = ""  # "pynsee": regular expression on the file URLs of pynsee's INSEE catalogue
    documentation: str = ""  # the producer's field dictionary the loader was written from
    layer: str = ""  # "cartiflette": the administrative level of the layer (COMMUNE, DEPARTEMENT, REGION)
    latest_known: str = ""  # "fige" sources: the newest edition the producer is known to have published

    @property
    def short_label(self) -> str:
        """The French name with its caveat: 'data·inclusion, lieux de médiation numérique (extrait partiel)'."""
        label = self.label or self.citation
        return f"{label} ({self.caveat})" if self.caveat else label

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


def sources_caption(
    source_ids: Iterable[str], mode: str | None = None, dates: Mapping[str, str] | None = None
) -> str:
    """'Sources : A (février 2023) ; B (janvier 2023, extrait partiel).'; one label, its dates joined.

    >>> sources_caption(["cnfs_structures_coselec_2023", "cnfs_structures_postes_2023"])
    'Sources : ANCT, postes de conseillers numériques (avril 2023 et juillet 2023).'
    """
    when: dict[str, list[str]] = {}
    caveats: dict[str, str] = {}
    for source in (find_source(s, mode) for s in source_ids):
        label = source.label or source.citation
        when.setdefault(label, []).append((dates or {}).get(source.id) or source.date or source.millesime)
        caveats[label] = caveats.get(label) or source.caveat
    parts = [
        f"{label} ({', '.join(filter(None, [' et '.join(dict.fromkeys(days)), caveats[label]]))})"
        for label, days in when.items()
    ]
    return f"Sources : {' ; '.join(parts)}."


def find_source(source_id: str, mode: str | None = None) -> Source:
    """The entry of `source_id` in the catalogue of `mode` (a base's: `Base.mode`), else in the other
    one (a source only the current catalogue knows, read by a process on the pinned setting)."""
    first = mode or millesimes()
    for each in dict.fromkeys([first, *_CATALOGUES]):
        found = load_catalogue(each).get(source_id)
        if found is not None:
            return found
    return get_source(source_id, mode=first)  # the error with close matches


def get_source(source_id: str, *, mode: str | None = None) -> Source:
    """The catalogue entry of `source_id` (in the catalogue of `mode`, else of this process's setting);
    a clear error with close matches otherwise."""
    sources = load_catalogue(mode) if mode else _load()
    if source_id not in sources:
        raise ValueError(f"Source inconnue : {source_id!r}.{did_you_mean(source_id, sources)}")
    return sources[source_id]
