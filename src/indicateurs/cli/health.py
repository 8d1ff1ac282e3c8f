"""Health check for a workshop server: is the app answering, can it show figures, can the Atelier save?

`python -m indicateurs.health [--url http://127.0.0.1:8501]` prints one French line per check and
exits 0 when the required checks pass, 1 otherwise, so that a supervisor (systemd, Docker
HEALTHCHECK, a reverse proxy's probe) can use it. Streamlit's own endpoint `/_stcore/health`
answers "ok" as soon as the server runs; this check adds what a participant needs: a readable base
and, for the Atelier, a reachable database (not required: the other pages work without it).
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "add_health_parser", "check_health", "main"]


@dataclass(frozen=True)
class Check:
    """One verdict: `required` checks decide the exit code, the others only inform."""

    name: str
    ok: bool
    detail: str
    required: bool = True

    def line(self) -> str:
        mark = "OK " if self.ok else ("ÉCHEC" if self.required else "ATTENTION")
        return f"{mark:<9} {self.name:<10} {self.detail}"


def check_health(url: str | None = None, *, timeout: float = 5.0, database: bool = True) -> list[Check]:
    """Run the checks: the server at `url` (if given), the built base, and the Atelier database."""
    checks = []
    if url:
        checks.append(_server(url, timeout))
    checks.append(_base())
    checks.append(_vintages())
    if database:
        checks.append(_database())
        checks.append(_facilitator_pin())
    return checks


def _facilitator_pin() -> Check:
    from indicateurs.atelier.pin import pin_problem

    problem = pin_problem()
    if problem:
        return Check("animateur", False, problem, required=False)
    return Check("animateur", True, "code animateur configuré (ATELIER_PIN)", required=False)


def _server(url: str, timeout: float) -> Check:
    endpoint = url.rstrip("/") + "/_stcore/health"
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(endpoint, timeout=timeout) as response:
            body = response.read(100).decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("serveur", False, f"{endpoint} ne répond pas ({reason})")
    ms = round((time.perf_counter() - start) * 1000)
    if body != "ok":
        return Check("serveur", False, f"{endpoint} a répondu « {body[:40]} » au lieu de « ok »")
    return Check("serveur", True, f"{endpoint} répond « ok » en {ms} ms")


def _base() -> Check:
    from indicateurs.base import GEO_SOURCES, BaseCorruptError, BaseMissingError, load_base

    try:
        base = load_base()  # territories, values, places: every page reads them
        counts = base.territories["level"].value_counts()
        for level in GEO_SOURCES:  # the outlines of every level: the maps read all four
            base.geometry(level)
    except (BaseMissingError, BaseCorruptError) as exc:
        return Check("base", False, str(exc))
    except OSError as exc:
        return Check("base", False, f"base illisible : {exc}")
    detail = (
        f"construite le {base.built_at or '?'} : {counts.get('commune', 0)} communes, "
        f"{counts.get('epci', 0)} EPCI, contours des {len(GEO_SOURCES)} niveaux lisibles ({base.folder})"
    )
    return Check("base", True, detail)


def _vintages() -> Check:
    """Informative: a base mixing current releases and pinned fallbacks says so."""
    import json

    from indicateurs.config import base_dir

    try:
        report = json.loads((base_dir() / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Check("millésimes", True, "rapport de construction absent", required=False)
    provenance = report.get("provenance") or {}
    fallen = sorted(s for s, e in provenance.items() if e.get("repli"))
    mode = report.get("millesimes", "figes")
    if fallen:
        return Check(
            "millésimes",
            False,
            f"base mixte : millésimes {mode} sauf {', '.join(fallen)} (repli sur le millésime figé)",
            required=False,
        )
    return Check("millésimes", True, f"millésimes {mode} pour les {len(provenance)} sources", required=False)


def _database() -> Check:
    try:
        from indicateurs.atelier import StoreUnavailable, default_url, open_store
    except ImportError:
        return Check("atelier", True, "module atelier absent : rien à vérifier", required=False)
    url = default_url()
    where = "PostgreSQL (DATABASE_URL)" if not url.startswith("sqlite") else url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not Path(where).exists():
        # never create it here: an empty new file would hide that the workshop's file was deleted
        leftovers = [p.name for p in Path(where).parent.glob(Path(where).name + "-*")]
        if leftovers:
            return Check(
                "atelier",
                False,
                f"fichier {where} disparu ({', '.join(sorted(leftovers))} encore là) : l'application en "
                "cours n'enregistre plus rien ; remettez le fichier (sauvegarde) avant de la relancer",
                required=False,
            )
        return Check(
            "atelier", True, f"pas encore de base de l'atelier : {where} sera créé au premier atelier", False
        )
    try:
        store = open_store()
    except StoreUnavailable as exc:
        return Check("atelier", False, str(exc), required=False)
    engine = getattr(store, "engine", None) or getattr(store, "_engine", None)
    if engine is not None:
        engine.dispose()
    return Check("atelier", True, f"base de l'atelier joignable : {where}", required=False)


def add_health_parser(sub) -> None:
    """Add `health` to the `python -m indicateurs` sub-commands."""
    p = sub.add_parser("health", help="vérifier que l'application peut servir un atelier (code 0 si oui)")
    _arguments(p)
    p.set_defaults(func=_run)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="adresse de l'application à interroger, ex. http://127.0.0.1:8501")
    parser.add_argument("--timeout", type=float, default=5.0, help="délai de réponse du serveur (s)")
    parser.add_argument("--sans-atelier", action="store_true", help="ne pas vérifier la base de l'atelier")


def _run(args: argparse.Namespace) -> int:
    checks = check_health(args.url, timeout=args.timeout, database=not args.sans_atelier)
    for check in checks:
        print(check.line())
    healthy = all(c.ok for c in checks if c.required)
    print("État : prêt pour l'atelier." if healthy else "État : PAS prêt (voir ci-dessus).")
    return 0 if healthy else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indicateurs.health", description=__doc__.split("\n\n")[0]
    )
    _arguments(parser)
    return _run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
