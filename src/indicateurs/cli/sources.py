"""`python -m indicateurs sources [--fraicheur]`: the sources, the vintage in the base, and (with
`--fraicheur`) the newest release each producer announces, so a host knows how old a figure is."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

__all__ = ["add_sources_parser", "freshness"]


def _base_report() -> dict:
    from indicateurs.config import base_dir

    try:
        return json.loads((base_dir() / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _age(iso: str | None, now: datetime) -> str:
    if not iso:
        return "?"
    try:
        when = datetime.fromisoformat(iso[:19]).replace(tzinfo=UTC)
    except ValueError:
        return "?"
    days = (now - when).days
    return f"{days} j" if days < 60 else f"{days // 30} mois"


def freshness(*, check_producers: bool = True, now: datetime | None = None) -> list[dict]:
    """One row per source of the base: vintage used, retrieval date and its age, and the newest
    release the producer announces (current catalogue; "injoignable" when offline)."""
    from indicateurs.reference.catalogue import load_catalogue
    from indicateurs.sources import fetch as fetch_mod
    from indicateurs.sources.resolve import ResolveError, candidates, first_published

    now = now or datetime.now(UTC)
    provenance = _base_report().get("provenance", {})
    current = load_catalogue("courants")
    rows = []
    session = fetch_mod._session(retries=1) if check_producers else None
    try:
        for source_id in sorted(set(provenance) | set(current)):
            used = provenance.get(source_id, {})
            row = {
                "source": source_id,
                "millesime_base": used.get("millesime_fichier")
                or used.get("millesime")
                or "(absente de la base)",
                "recupere_le": (used.get("fetched_at") or "")[:10],
                "age": _age(used.get("fetched_at"), now),
                "url_base": used.get("url", ""),
                "plus_recent": "",
                "repli": used.get("repli") or "",
            }
            source = current.get(source_id)
            if session is not None and source is not None:
                if source.resolve == "fige" and source.latest_known:
                    row["plus_recent"] = (
                        f"dernière édition publique connue : {source.latest_known} "
                        "(pas de point d'accès du producteur pour une édition plus récente : millésime figé)"
                    )
                elif source.resolve == "fige":
                    row["plus_recent"] = "pas de point d'accès du producteur connu : millésime figé"
                elif not source.resolve:
                    row["plus_recent"] = (
                        f"{source.url} (sert toujours la dernière édition : millésime lu au téléchargement)"
                    )
                else:
                    try:
                        found = candidates(source, session)
                        # a year's URL is a guess, pynsee's list is kept by hand: the newest that answers
                        guessed = source.resolve in ("annee", "cartiflette", "pynsee")
                        newest = first_published(found, session) if guessed else found[0]
                    except (ResolveError, IndexError) as exc:
                        row["plus_recent"] = f"injoignable ({exc})"
                    else:
                        same = newest.url == row["url_base"]
                        row["plus_recent"] = newest.vintage + (
                            " (déjà dans la base)" if same else " (plus récent disponible)"
                        )
            rows.append(row)
    finally:
        if session is not None:
            session.close()
    return rows


def _run(args: argparse.Namespace) -> int:
    rows = freshness(check_producers=args.fraicheur)
    report = _base_report()
    print(
        f"Base construite le {report.get('built_at', '?')} (millésimes {report.get('millesimes', 'figes')})"
    )
    for row in rows:
        line = f"- {row['source']:<34} {row['millesime_base']}  [récupéré le {row['recupere_le'] or '?'}, il y a {row['age']}]"
        if row["repli"]:
            line += f"  REPLI : {row['repli']}"
        print(line)
        if args.fraicheur:
            print(
                f"    plus récent annoncé par le producteur : {row['plus_recent'] or '(pas de point d accès connu)'}"
            )
    return 0


def add_sources_parser(sub) -> None:
    p = sub.add_parser("sources", help="lister les sources, leur millésime dans la base et leur fraîcheur")
    p.add_argument(
        "--fraicheur", action="store_true", help="interroger chaque producteur sur sa version la plus récente"
    )
    p.set_defaults(func=_run)
