"""`python -m indicateurs profil CODE [CODE…] --format pdf,xlsx,csv --out DIR`: profiles without the app.

For staff preparing several workshops: one base load, then one file per territory and format,
named after the territory. Unknown codes are reported with close matches and do not stop the run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FORMATS", "ProfilRun", "add_profil_parser", "run_profil", "write_profiles"]

FORMATS = ("pdf", "xlsx", "csv")


@dataclass
class ProfilRun:
    """What a batch produced: files written, codes that failed (with the French reason), seconds."""

    written: list[Path] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self, n_codes: int) -> str:
        ok = n_codes - len(self.errors)
        lines = [
            f"{ok} profil(s) sur {n_codes} écrits ({len(self.written)} fichiers) en {self.seconds:.1f} s."
        ]
        lines += [f"  - {code} : {reason}" for code, reason in self.errors.items()]
        return "\n".join(lines)


def _parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"format inconnu : {', '.join(unknown) or text!r} (formats possibles : {', '.join(FORMATS)})"
        )
    return list(dict.fromkeys(formats))


def add_profil_parser(subparsers) -> argparse.ArgumentParser:
    """Register the `profil` subcommand on the main parser's subparsers."""
    parser = subparsers.add_parser(
        "profil",
        help="écrire le profil statistique (PDF, XLSX, CSV) d'un ou plusieurs territoires",
        description="Profil statistique d'un ou plusieurs territoires, sans l'application.",
    )
    parser.add_argument(
        "codes", nargs="+", help="codes des territoires (SIREN d'EPCI, code INSEE de commune…)"
    )
    parser.add_argument(
        "--format",
        dest="formats",
        type=_parse_formats,
        default=["pdf", "xlsx"],
        help="formats séparés par des virgules parmi pdf, xlsx, csv (défaut : pdf,xlsx)",
    )
    parser.add_argument(
        "--out", default="profils", help="dossier de sortie (créé au besoin ; défaut : profils)"
    )
    parser.add_argument(
        "--level",
        choices=["commune", "epci", "departement", "region", "france"],
        default=None,
        help="niveau des codes (par défaut : deviné, EPCI puis commune, département, région)",
    )
    parser.set_defaults(func=run_profil)
    return parser


def write_profiles(
    base,
    codes: list[str],
    formats: list[str],
    out: Path,
    *,
    level: str | None = None,
    progress=None,
) -> ProfilRun:
    """Write one file per territory and format into `out`; errors are collected, not raised."""
    from indicateurs.analysis.profile import build_profile
    from indicateurs.render.pdf import profile_pdf
    from indicateurs.render.profile_files import profile_csv, profile_filename, profile_xlsx

    builders = {"pdf": lambda p: profile_pdf(p, base), "xlsx": profile_xlsx, "csv": profile_csv}
    out.mkdir(parents=True, exist_ok=True)
    run = ProfilRun()
    start = time.perf_counter()
    for n, code in enumerate(codes, start=1):
        try:
            profile = build_profile(base, code, level)
            for fmt in formats:
                path = out / profile_filename(profile, fmt)
                path.write_bytes(builders[fmt](profile))
                run.written.append(path)
            message = f"[{n}/{len(codes)}] {profile.nom} ({profile.code})"
        except ValueError as exc:
            run.errors[code] = str(exc)
            message = f"[{n}/{len(codes)}] {code} : ignoré ({exc})"
        if progress:
            progress(message)
    run.seconds = time.perf_counter() - start
    return run


def run_profil(args: argparse.Namespace) -> int:
    """Entry point of `python -m indicateurs profil`; exit code 1 when some codes failed."""
    from indicateurs.base import load_base

    base = load_base()
    out = Path(args.out)
    run = write_profiles(
        base,
        list(args.codes),
        args.formats,
        out,
        level=args.level,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    print(run.summary(len(args.codes)))
    print(f"Dossier : {out.resolve()}")
    return 1 if run.errors else 0
