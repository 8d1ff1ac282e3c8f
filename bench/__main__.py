"""`python -m bench`: run every `bench/bench_*.py` and print one line per figure.

Each module exposes `run() -> Iterable[Figure]`. A missed target is printed, never fatal:
the runner always exits 0 so that benchmarks inform rather than gate.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

_HERE = Path(__file__).parent


def _modules(selected: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(_HERE)]) if m.name.startswith("bench_"))
    return [n for n in names if not selected or any(s in n for s in selected)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="run only the modules whose name contains one of these")
    args = parser.parse_args(argv)
    print(f"{'figure':<58} {'value':>12} {'unit':<8} {'target':<14} status")
    for name in _modules(args.only):
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            for fig in module.run():
                print(fig.line(), flush=True)
        except Exception:  # a broken benchmark must not hide the others
            print(f"{name:<58} {'ERROR':>12}", flush=True)
            traceback.print_exc(file=sys.stdout)
        print(f"# {name} took {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
