"""Map figures: payload of the France EPCI and largest-département commune maps, build time, browser times.

Server-side figures use the package directly on the built base; browser figures start
`streamlit run serve.py` (the app as served) on a free port and drive headless Chromium with every non-local request
blocked (skipped when Chromium or the base is missing).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

from bench.figures import Figure, timer

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def run() -> Iterator[Figure]:
    from indicateurs.base import BaseMissingError, load_base

    try:
        base = load_base()
    except BaseMissingError:
        yield Figure("map: base missing (python -m indicateurs build)", 0, "-")
        return
    yield from _server_side(base)
    yield from _browser()


def _build(base, gdf, level: str, indicator: str, topology=None, outlines=None):
    from indicateurs.analysis.classify import classify
    from indicateurs.render import maps

    values = base.wide(level)[indicator].reindex(gdf["code"].to_numpy())
    classes = classify(values, "quantiles", indicator=indicator)
    m = maps.choropleth(gdf, values, indicator, classes, topology=topology, outlines=outlines, legend=False)
    return m.get_root().render()


def _server_side(base) -> Iterator[Figure]:
    from indicateurs.render import maps

    epci = base.geometry("epci")
    regions = base.geometry("region")
    with timer() as t:
        topo = maps.to_topology(epci)
    yield Figure("map: France EPCI topology build (cold, cached after)", t(), "s")
    _build(base, epci, "epci", "ifn", topo, regions)
    with timer() as t:
        html = _build(base, epci, "epci", "part_65_plus", topo, regions)
    yield Figure("map: France EPCI map build + render (warm)", t(), "s", 0.5)
    yield Figure("map: France EPCI map HTML size", len(html.encode()) / MB, "MB", 1.0)
    deflated = len(zlib.compress(html.encode(), 6))
    yield Figure("map: same, deflated (websocket compression on)", deflated / MB, "MB", 1.0)

    t_ = base.territories
    communes = t_[t_["level"] == "commune"]
    dep = communes["departement"].value_counts().idxmax()
    n = int(communes["departement"].value_counts().max())
    gdf = base.geometry("commune")
    gdf = gdf[gdf["code"].isin(set(communes.loc[communes["departement"] == dep, "code"]))]
    html = _build(base, gdf, "commune", "part_65_plus")
    yield Figure(
        f"map: commune map of département {dep} ({n} communes) HTML", len(html.encode()) / MB, "MB", 0.5
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_DRAWN = (
    "() => [...document.querySelectorAll('.leaflet-container path')]"
    ".filter(p => (p.getAttribute('d') || '').length > 20).length"
)


def _wait_map(page, timeout: float = 60, minimum: int = 200) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate(_DRAWN) >= minimum:
                        return time.perf_counter() - start
                except Exception:
                    pass
        page.wait_for_timeout(50)
    raise TimeoutError("map not drawn")


def _browser() -> Iterator[Figure]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        yield Figure("map: browser figures skipped (playwright missing)", 0, "-")
        return
    if not Path("/usr/bin/chromium").exists():
        yield Figure("map: browser figures skipped (no /usr/bin/chromium)", 0, "-")
        return
    from indicateurs.cli.servir import streamlit_command

    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.Popen(
        streamlit_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith(url) else r.abort(),
            )
            page = context.new_page()
            page.goto(f"{url}/carte", wait_until="domcontentloaded")
            _wait_map(page, timeout=180)  # cold: loads the base and builds the topology once
            yield from _measure(context, url)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _measure(context, url: str) -> Iterator[Figure]:
    frames: list[int] = []
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    start = time.perf_counter()
    page.goto(f"{url}/carte", wait_until="commit")
    page.wait_for_function(
        "() => document.querySelector('#atlas-premiere-vue .apv-map svg path')", polling=20, timeout=60_000
    )
    first = time.perf_counter() - start
    _wait_map(page)
    visible = time.perf_counter() - start
    page.wait_for_timeout(1000)
    yield Figure("map: France EPCI map visible from page load (first view, warm)", first, "s", 1.5)
    yield Figure("map: France EPCI interactive map drawn from page load (warm)", visible, "s", 3.0)
    yield Figure("map: websocket bytes received, Carte page France EPCI", sum(frames) / MB, "MB", 1.0)

    before = sum(frames)
    page.get_by_label("Indicateur").click()
    page.keyboard.type("Part des 65")  # the list is long and virtualised: filter it as a person would
    start = time.perf_counter()
    page.get_by_role("option", name="Compétences · Part des 65 ans et plus").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.atlas-legend')].some(e => e.innerText.includes('Part des 65 ans'))",
        timeout=30_000,
    )
    _wait_map(page)
    yield Figure("map: indicator change redrawn (warm)", time.perf_counter() - start, "s", 1.5)
    page.wait_for_timeout(1000)
    yield Figure("map: websocket bytes for an indicator change", (sum(frames) - before) / MB, "MB", 1.0)
    page.close()
