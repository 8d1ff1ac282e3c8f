"""Server CPU per interaction: a scripted tour of every page, on warm caches, against a minimal page.

Streamlit reruns the whole page script for each click of each participant in one Python process, so
the CPU one interaction costs, times the room, is the wait of the last person. The tour is played
twice through `AppTest` (the first pass warms the caches) and the second pass is measured in CPU
seconds of this process (`time.process_time`, all threads: the script runs in its own thread).
A one-line Streamlit page measured in the same run gives the floor that no page can go under.

`AppTest` redoes on each run what a server does once per process: it compiles the page scripts
again (a new `ScriptCache` per run; the server keeps one per runtime) and, on the first run of each
`AppTest`, scans the metadata of every installed package for components (the server does it at
start-up): 0.2 s of CPU counted in "carte: ouvrir" that no visitor ever costs the server. The
measure shares one script cache and one component registry between the runs, as one server does.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.figures import Figure

ROOT = Path(__file__).resolve().parents[1]
EPCI = "epci:200066926"  # CA Grand Auch Cœur de Gascogne
COMPARED = [  # six EPCI of different sizes and régions
    "epci:200066926",
    "epci:200067106",
    "epci:200041523",
    "epci:200041994",
    "epci:200040715",
    "epci:248600413",
]
STEP_TARGET = 0.08  # s of CPU per interaction (issue #16)
RERUN_TARGET = 0.03  # s of CPU for a rerun where nothing changed
TIMEOUT = 300


def _cpu(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def _tour(at) -> list[tuple[str, Callable[[], object]]]:
    """The steps of one participant's visit, each a callable that changes something and reruns."""

    def pick(widget: str, value) -> Callable[[], object]:
        return lambda: _selectbox(at, widget).set_value(value).run()

    def go(page: str) -> Callable[[], object]:
        return lambda: at.switch_page(page).run()

    def compare() -> object:
        return at.multiselect(key="cmp_selection").set_value(COMPARED).run()

    return [
        ("carte: ouvrir (France par EPCI)", lambda: at.run()),
        ("carte: relancer sans changement", lambda: at.run()),
        ("carte: choisir un EPCI", pick("territoire_choisi", EPCI)),
        ("carte: changer d'indicateur", pick("indicateur", "taux_chomage")),
        ("carte: afficher les voisins", lambda: at.toggle(key="voisins").set_value(True).run()),
        ("carte: relancer sans changement (EPCI)", lambda: at.run()),
        ("profil: ouvrir", go("app_pages/profil.py")),
        ("comparer: ouvrir", go("app_pages/comparer.py")),
        ("comparer: 6 territoires", compare),
        ("ressources: ouvrir", go("app_pages/ressources.py")),
        ("atelier: vue participant", go("app_pages/atelier.py")),
        ("sources: ouvrir", go("app_pages/sources.py")),
    ]


def _selectbox(at, key: str):
    return at.selectbox(key=key)


def _minimal_page(directory: Path) -> Path:
    page = directory / "minimal.py"
    page.write_text('import streamlit as st\n\nst.title("Carte")\nst.write("ok")\n', encoding="utf-8")
    return page


def _measure_minimal(app_test) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        at = app_test.AppTest.from_file(str(_minimal_page(Path(tmp))), default_timeout=TIMEOUT)
        at.run()
        return statistics.median(_cpu(at.run) for _ in range(7))


@contextmanager
def _one_server(app_test):
    """AppTest runs that share what one server process shares: compiled scripts, components."""
    from unittest import mock

    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import local_script_runner

    scripts = ScriptCache()
    components: list = []
    new_test = app_test.AppTest.from_file

    def from_file(*args, **kwargs):
        at = new_test(*args, **kwargs)
        if components:
            at._bidi_component_manager = components[0]
        else:
            first_run = at._run

            def keep(*run_args, **run_kwargs):
                out = first_run(*run_args, **run_kwargs)
                components[:] = [at._bidi_component_manager]
                return out

            at._run = keep
        return at

    with (
        mock.patch.object(app_test, "ScriptCache", lambda: scripts),
        mock.patch.object(local_script_runner, "ScriptCache", lambda: scripts),
        mock.patch.object(app_test.AppTest, "from_file", staticmethod(from_file)),
    ):
        yield


def measure(passes: int = 2) -> tuple[list[tuple[str, float, str]], float]:
    """[(step, cpu seconds of the last pass, error or "")], and the minimal page's rerun CPU."""
    from streamlit.testing.v1 import app_test

    with _one_server(app_test):
        return _measure(app_test, passes)


def _measure(app_test, passes: int) -> tuple[list[tuple[str, float, str]], float]:
    results: list[tuple[str, float, str]] = []
    for _ in range(passes):  # the first pass warms the caches; the last one is kept
        at = app_test.AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        results = []
        for name, step in _tour(at):
            try:
                cpu = _cpu(step)
                error = "; ".join(str(e.value)[:80] for e in at.exception) if at.exception else ""
            except Exception as exc:  # a missing widget on one version of a page must not hide the rest
                cpu, error = float("nan"), f"{type(exc).__name__}: {str(exc)[:80]}"
            results.append((name, cpu, error))
    return results, _measure_minimal(app_test)


def run() -> Iterator[Figure]:
    from indicateurs.base import BaseMissingError, load_base

    try:
        load_base()
    except BaseMissingError:
        yield Figure("interactions: base missing (python -m indicateurs build)", 0, "-")
        return
    os.environ.setdefault("ATELIER_PIN", "bench-interactions-pin")
    steps, floor = measure()
    costs = [cpu for _, cpu, _ in steps if cpu == cpu]
    for name, cpu, error in steps:
        target = RERUN_TARGET if "sans changement" in name else STEP_TARGET
        ratio = f"×{cpu / floor:.0f} page minimale" if floor > 0 and cpu == cpu else ""
        yield Figure(f"interactions: {name}", cpu, "s CPU", target, (error or ratio))
    if costs:
        yield Figure(
            "interactions: médiane du parcours (caches chauds)",
            statistics.median(costs),
            "s CPU",
            STEP_TARGET,
        )
    yield Figure("interactions: page Streamlit minimale (relance)", floor, "s CPU")
