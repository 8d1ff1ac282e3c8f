"""Command line: `python -m indicateurs build | export | profil | health | servir | sources`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from indicateurs.config import use_millesimes

    if args.millesimes:
        use_millesimes(args.millesimes)

    from indicateurs.build import build_base

    bar = tqdm(total=100, desc="Construction de la base", unit="%", bar_format="{l_bar}{bar}| {n:.0f}%")

    def progress(step: str, fraction: float) -> None:
        bar.set_postfix_str(step[:40])
        bar.n = round(fraction * 100)
        bar.refresh()

    report = build_base(progress, force=args.force, refresh=args.millesimes == "courants")
    bar.close()
    print(_summary(report))
    return 0


def _summary(report: dict) -> str:
    lines = [
        "",
        "Base déjà à jour (rien à refaire)."
        if report.get("skipped")
        else f"Base construite en {report.get('seconds')} s.",
    ]
    lines.append("\nTerritoires par niveau :")
    for level, n in report["rows_per_level"].items():
        lines.append(f"  {level:<12} {n:>7}")
    lines.append("\nCouverture des jointures (communes COG 2025 couvertes / lignes de la source) :")
    lines.append(f"  {'source':<34} {'lignes':>7} {'gardées':>8} {'inconnues':>9} {'couverture':>10}")
    for source_id, rep in report["sources"].items():
        lines.append(
            f"  {source_id:<34} {rep.get('rows_in', 0):>7} {rep.get('rows_kept', rep.get('rows_placed', 0)):>8} "
            f"{rep.get('rows_unknown', rep.get('rows_dropped', 0)):>9} {rep.get('coverage', 0):>10.2%}"
        )
    lines.append("\nContours (codes appariés / attendus) :")
    for level, rep in report["geometries"].items():
        lines.append(f"  {level:<12} {rep['matched']:>6} / {rep['expected']:<6}")
    if report.get("provenance"):
        lines.append(f"\nMillésimes ({report.get('millesimes', 'figes')}) :")
        for source_id, used in report["provenance"].items():
            vintage = used.get("millesime_fichier") or used.get("millesime")
            flag = f"  [REPLI : {used['repli']}]" if used.get("repli") else ""
            lines.append(f"  {source_id:<34} {vintage}{flag}")
    poverty = report.get("estimation_pauvrete") or {}
    if poverty.get("validation_croisee"):
        cv = poverty["validation_croisee"]
        lines.append(
            f"\nPauvreté estimée pour {poverty['communes_estimees']} communes sous secret "
            f"(validation croisée sur {cv['n']} petites communes publiées : biais {cv['bias_pt']:+.2f} pt, "
            f"erreur moyenne {cv['mae_pt']:.2f} pt)."
        )
    placed = report.get("placement_summary") or {}
    if placed:
        lines.append("\nLieux vérifiés d'après leur code postal (détail sur la page Sources) :")
        for source_id, actions in placed.items():
            lines.append(f"  {source_id:<34} " + ", ".join(f"{n} {a}" for a, n in actions.items()))
    if report.get("warnings"):
        lines.append("\nAvertissements :")
        lines += [f"  - {w}" for w in report["warnings"]]
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from indicateurs.base import load_base
    from indicateurs.render.tables import csv_bytes

    base = load_base()
    table = base.wide(args.level).reset_index()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # the metadata travels with the data: one row per value (unit, source, millésime, coverage, status)
    detail = base.detail(args.level)
    detail_path = out.with_name(f"{out.stem}-detail{out.suffix or '.csv'}")
    meta = indicators_metadata(base)
    meta_path = out.with_name(f"{out.stem}-indicateurs{out.suffix or '.csv'}")
    for frame, path in ((table, out), (detail, detail_path), (meta, meta_path)):
        if args.format == "fr":
            path.write_bytes(csv_bytes(frame))
        else:
            frame.to_csv(path, index=False, encoding="utf-8")
    print(f"{len(table)} territoires ({args.level}) × {table.shape[1] - 2} indicateurs écrits dans {out}")
    print(f"Valeurs avec unité, source, millésime, couverture et statut : {detail_path}")
    print(f"Définition de chaque indicateur : {meta_path}")
    return 0


def indicators_metadata(base=None):
    """One row per indicator: what the wide export's columns mean (unit, denominator, source...);
    with `base`, the source and millésime of the values it holds (`Base.millesime`)."""
    import pandas as pd

    from indicateurs.reference.registry import registry_of

    return pd.DataFrame(
        [
            {
                "indicateur": i.id,
                "libelle": i.label,
                "unite": "fraction (0 à 1 ; ×100 pour un %)" if i.is_rate else i.unit,
                "denominateur": i.denominator,
                "source": base.citation(i.id) if base is not None else i.citation,
                "millesime": base.millesime(i.id) if base is not None else i.millesime,
                "couverture_minimale": i.min_coverage,
                "definition": i.description,
            }
            for i in registry_of(base).list()  # the base's words (the mode it was built in)
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indicateurs", description="Atlas de l'inclusion numérique"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build", help="construire la base depuis les sources (ou le miroir INDICATEURS_MIROIR)"
    )
    b.add_argument("--force", action="store_true", help="reconstruire même si la base est à jour")
    b.add_argument(
        "--millesimes",
        choices=["figes", "courants"],
        help="figes : l'instantané épinglé (défaut, et celui du miroir) ; courants : la version la plus "
        "récente de chaque producteur (internet requis ; repli sur le millésime figé si indisponible)",
    )
    b.set_defaults(func=_build)
    e = sub.add_parser("export", help="exporter un niveau en CSV (une ligne par territoire)")
    e.add_argument("--level", default="epci", choices=["commune", "epci", "departement", "region", "france"])
    e.add_argument("--out", required=True, help="fichier CSV à écrire")
    e.add_argument(
        "--format",
        default="fr",
        choices=["fr", "plain"],
        help="fr : UTF-8 avec BOM, ';' et virgule décimale (Excel français) ; plain : UTF-8, ',' et point",
    )
    e.set_defaults(func=_export)
    from indicateurs.cli.health import add_health_parser
    from indicateurs.cli.profil import add_profil_parser
    from indicateurs.cli.servir import add_servir_parser
    from indicateurs.cli.sources import add_sources_parser

    add_profil_parser(sub)
    add_health_parser(sub)
    add_servir_parser(sub)
    add_sources_parser(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
