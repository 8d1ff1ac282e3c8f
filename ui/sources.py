"""Tables of the Sources et méthode page: the catalogue, the registry and the store's fetch dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from indicateurs.config import raw_dir
from indicateurs.reference import METHOD_FILE
from indicateurs.reference.catalogue import list_sources, load_catalogue
from indicateurs.reference.registry import registry_of
from indicateurs.reference.text import format_percent
from indicateurs.sources.fetch import store_manifest

__all__ = [
    "METHOD_FILE",
    "built_at_text",
    "indicators_table",
    "method_markdown",
    "mixed_base_text",
    "placement_table",
    "sources_table",
]

_AGGREGATION = {
    "sum": "somme des communes",
    "ratio": "rapport des sommes (numérateur / dénominateur)",
    "weighted_mean": "moyenne pondérée",
    "none": "publié à son seul niveau",
}
_DIRECTION = {1: "plus élevé = plus fragile", -1: "plus élevé = moins fragile", 0: "contexte"}
_WEIGHT = {"population": "la population", "menages_fiscaux": "les ménages fiscaux"}


def sources_table(report: dict | None = None) -> pd.DataFrame:
    """One row per catalogue source: title, producer, licence, millésime, link, date fetched.

    The millésime and the link are those the build actually used (report.json `provenance`: the
    vintage read in the file, the resolved URL), else the catalogue's."""
    fetched = _fetch_dates()
    joins = (report or {}).get("sources", {})
    used = (report or {}).get("provenance", {})
    rows = []
    for src in list_sources():
        prov = used.get(src.id) or {}
        vintage = prov.get("millesime_fichier") or prov.get("millesime") or src.millesime
        if prov.get("repli"):
            vintage += f" — {prov['repli']}"
        latest = _latest_known(src.id)
        if latest:  # no producer endpoint for a newer edition: say which is the newest known
            vintage += f" (dernière édition publique connue : {latest})"
        rows.append(
            {
                "Source": src.title,
                "Millésime": vintage,
                "Licence": src.licence,
                "Lien": prov.get("url") or (src.urls[0] if src.urls else ""),
                "Récupérée le": fetched.get(src.id, ""),
                "Communes couvertes": _coverage(joins.get(src.id)),
                "Producteur": src.producer,
            }
        )
    return pd.DataFrame(rows)


def _latest_known(source_id: str) -> str:
    """The newest edition known to be published, for a source with no producer endpoint (current catalogue)."""
    entry = load_catalogue("courants").get(source_id)
    return entry.latest_known if entry is not None else ""


def indicators_table(base=None) -> pd.DataFrame:
    """One row per registry indicator: definition, unit, reading direction, source, aggregation, as the
    base defines them (`Base.registry`: the mode it was built in) with the vintage it holds."""
    rows = []
    cite = getattr(base, "citation", None)
    for ind in registry_of(base).list():
        aggregation = _AGGREGATION.get(ind.aggregation, ind.aggregation)
        if ind.aggregation == "weighted_mean" and ind.weight:
            aggregation += f" par {_WEIGHT.get(ind.weight, ind.weight)}"
        rows.append(
            {
                "Indicateur": ind.label,
                "Identifiant": ind.id,
                "Unité": "score sur 10" if ind.unit == "score" else ind.unit,
                "Dénominateur": ind.denominator,
                "Couverture minimale": f"{ind.min_coverage * 100:.0f} %" if ind.min_coverage else "",
                "Lecture": _DIRECTION.get(ind.direction, ""),
                "Source": cite(ind.id) if callable(cite) else ind.citation,
                "Au-dessus de la commune": aggregation,
                "Définition": ind.description,
            }
        )
    return pd.DataFrame(rows)


_SOURCE_TITLES = {
    "france_services_2023": "France Services",
    "cnfs_permanences_2022": "Permanences CnFS",
    "data_inclusion_lieux_2023": "data·inclusion",
    "aidants_connect_structures_2024": "Aidants Connect",
    "cnfs_structures_coselec_2023": "Structures CnFS (postes validés)",
    "cnfs_structures_postes_2023": "Structures CnFS (recrutés)",
    "lieux_mediation_numerique": "Fichier national des lieux de médiation numérique",
}


def placement_table(report: dict | None = None) -> pd.DataFrame:
    """Every offer place whose commune was repaired, moved or dropped by the postcode check of the build."""
    rows = (report or {}).get("placement") or []
    frame = pd.DataFrame(
        rows, columns=["source", "id", "nom", "code_postal", "commune_source", "commune_retenue", "action"]
    )
    return pd.DataFrame(
        {
            "Source": frame["source"].map(lambda s: _SOURCE_TITLES.get(s, s)),
            "Lieu": frame["nom"],
            "Code postal": frame["code_postal"],
            "Commune dans la source": frame["commune_source"],
            "Commune retenue": frame["commune_retenue"],
            "Décision": frame["action"],
        }
    )


def method_markdown() -> str | None:
    """The scores' method written by the scores module (methode.md), if present."""
    return METHOD_FILE.read_text(encoding="utf-8") if METHOD_FILE.exists() else None


def mixed_base_text(report: dict) -> str:
    """A French sentence when the base mixes current releases and pinned fallbacks, else ''."""
    fallen = sorted(s for s, e in (report.get("provenance") or {}).items() if (e or {}).get("repli"))
    if not fallen:
        return ""
    return (
        "Base mixte : les sources sont dans leur version la plus récente, sauf "
        + ", ".join(fallen)
        + " (version la plus récente indisponible au moment de la construction : millésime figé utilisé)."
    )


def built_at_text(report: dict) -> str:
    """'28/11/2026 à 14:41 (UTC)' from the build report, or '' when unknown."""
    raw = report.get("built_at") or ""
    try:
        when = datetime.fromisoformat(raw).astimezone(UTC)
    except ValueError:
        return ""
    return when.strftime("%d/%m/%Y à %H:%M (UTC)")


def _coverage(entry: dict | None) -> str:
    if not isinstance(entry, dict) or entry.get("coverage") is None:
        return ""
    return format_percent(float(entry["coverage"]))


def _fetch_dates() -> dict[str, str]:
    """Source id -> 'AAAA-MM-JJ (origine)' from the store manifest, else the file dates in the store."""
    dates: dict[str, str] = {}
    for source_id, entry in store_manifest().items():
        when = str(entry.get("fetched_at") or "")[:10] if isinstance(entry, dict) else ""
        if when:
            origin = entry.get("origin")
            dates[source_id] = f"{when} ({origin})" if origin else when
    for src in list_sources():
        path = raw_dir() / src.file
        if src.id not in dates and path.exists():
            dates[src.id] = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d")
    return dates
