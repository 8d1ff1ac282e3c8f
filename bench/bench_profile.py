"""Profile files: PDF + XLSX of one EPCI (warm) and 100 EPCI profiles through the CLI function.

Also writes the sample `artifacts/profil-exemple.pdf` and its first page as PNG (pdftoppm).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

_ROOT = Path(__file__).resolve().parents[1]
_EPCI = "200067106"  # CA du Pays Basque: 158 communes


def run():
    from indicateurs.analysis.profile import build_profile
    from indicateurs.base import load_base
    from indicateurs.cli.profil import write_profiles
    from indicateurs.render.pdf import profile_pdf
    from indicateurs.render.profile_files import profile_xlsx

    base = load_base()
    start = time.perf_counter()
    profile = build_profile(base, _EPCI)
    profile_pdf(profile, base)
    yield Figure("profil: first profile and PDF (cold: ranks, contiguity)", time.perf_counter() - start, "s")

    timings = []
    for _ in range(3):
        start = time.perf_counter()
        profile = build_profile(base, _EPCI)
        pdf = profile_pdf(profile, base)
        profile_xlsx(profile)
        timings.append(time.perf_counter() - start)
    yield Figure("profil: PDF + XLSX of one EPCI (warm, best of 3)", min(timings), "s", 3)

    artifacts = _ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    sample = artifacts / "profil-exemple.pdf"
    sample.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(sample), str(artifacts / "profil-exemple")], check=True
        )
    yield Figure("profil: sample PDF size", len(pdf) / 1024, "KiB", note=str(sample))

    epci = base.territories.query("level == 'epci'").sort_values("code")["code"].tolist()[:100]
    with tempfile.TemporaryDirectory(prefix="bench-profil-") as out:
        result = write_profiles(base, epci, ["pdf", "xlsx", "csv"], Path(out))
    yield Figure(
        "profil: 100 EPCI profiles via the CLI (pdf,xlsx,csv)",
        result.seconds,
        "s",
        180,
        note=f"{len(result.written)} files, {len(result.errors)} errors",
    )
