"""Browser timings of issue #16: how long until the map is visible, with a fresh browser each time.

`python -m bench.browser` starts `streamlit run serve.py` (the README's laptop command: app.py with its
bundles gzipped; `--script app.py` for the bare app) on 127.0.0.1, warms its caches with one visit, then for each URL launches a NEW
headless Chromium (Debian's `/usr/bin/chromium`, empty cache) `--repeats` times and measures:

- map visible: from `page.goto` to the first shape of the map on screen, for `/carte` (France by
  EPCI), `/carte?territoire=epci:200066926` and `/profil?territoire=epci:200066926`: the first
  view's SVG map sent with the page (`ui.first_view`, served by serve.py) or, without it, the
  interactive map; and, apart, until the interactive map (Leaflet, in the component's frame) has
  drawn its first shape;
- indicator change: on `/carte`, from choosing another indicator to the shapes' colours changing;
- bytes on the wire of a first visit of `/carte` (HTTP as received + WebSocket, `bench.wire`).

It prints figures next to the issue's targets, and asserts nothing: the timings include the browser,
which runs on the same (possibly shared) cores as the server. Every request leaving 127.0.0.1 is
blocked. What it starts, it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.load_test import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS

__all__ = ["indicator_change", "main", "map_visible"]

_FIRST_VIEW_JS = """() => document.querySelectorAll('#atlas-premiere-vue .apv-map svg path').length"""

ROOT = Path(__file__).resolve().parents[1]
URLS = ("/carte", "/carte?territoire=epci:200066926", "/profil?territoire=epci:200066926")
MAP_TARGET = 1.5  # s, map visible after opening the page (issue #16)
CHANGE_TARGET = 0.8  # s, indicator change redrawn
BYTES_TARGET = 2 * 2**20  # first visit of /carte

# Fill colours of the first drawn shapes of every frame: changes when the values layer is redrawn.
_SIGNATURE_JS = """() => [...document.querySelectorAll('.leaflet-overlay-pane path')]
  .slice(0, 400).map(p => p.getAttribute('fill') || '').join(',')"""


# Network of a venue (`--reseau salle`): a shared Wi-Fi seen from one phone (Chrome's emulation,
# applied to the page, its frames and its WebSocket).
NETWORKS = {
    "local": None,
    "salle": {"latency": 100, "downloadThroughput": 2_000_000 / 8, "uploadThroughput": 1_000_000 / 8},
}
_network: dict | None = None


async def _fresh_page(p):
    browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = await browser.new_context(viewport={"width": 1400, "height": 900})

    async def local_only(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", local_only)
    page = await context.new_page()
    if _network is not None:
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", {"offline": False, **_network})
    return browser, page


async def _drawn_frame(page, timeout: float, poll: float = 0.05):
    """The frame where Leaflet has drawn at least one shape (polled every `poll` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if await frame.evaluate(
                    "() => document.querySelectorAll('.leaflet-overlay-pane path').length"
                ):
                    return frame
            except Exception:
                continue
        await asyncio.sleep(poll)
    raise TimeoutError("la carte ne s'est pas affichée")


async def map_visible(p, base_url: str, path: str, timeout: float = 120) -> tuple[float, float]:
    """Seconds from `goto` to (a map on screen: first view or interactive, the interactive map), in a
    new browser."""
    browser, page = await _fresh_page(p)
    try:
        start = time.perf_counter()
        await page.goto(f"{base_url}{path}", wait_until="commit", timeout=timeout * 1000)
        first = None
        deadline = time.monotonic() + timeout
        while first is None and time.monotonic() < deadline:
            try:
                if await page.evaluate(_FIRST_VIEW_JS):
                    first = time.perf_counter() - start
                    break
            except Exception:  # the document is being replaced
                pass
            if await _drawn_frame_now(page):
                first = time.perf_counter() - start
                break
            await asyncio.sleep(0.02)
        await _drawn_frame(page, timeout)
        return first if first is not None else float("nan"), time.perf_counter() - start
    finally:
        await browser.close()


async def _drawn_frame_now(page) -> bool:
    for frame in page.frames[1:]:
        try:
            if await frame.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane path').length"):
                return True
        except Exception:
            continue
    return False


async def indicator_change(p, base_url: str, timeout: float = 120) -> float:
    """Seconds from choosing another indicator on /carte to the shapes' colours changing."""
    browser, page = await _fresh_page(p)
    try:
        await page.goto(f"{base_url}/carte", wait_until="domcontentloaded", timeout=timeout * 1000)
        frame = await _drawn_frame(page, timeout)
        await asyncio.sleep(1.0)  # every shape drawn and coloured
        before = await frame.evaluate(_SIGNATURE_JS)
        box = page.get_by_role("combobox", name="Indicateur", exact=True).first
        await box.click()
        options = page.get_by_role("option")
        await options.first.wait_for(timeout=timeout * 1000)
        current = (await box.input_value()).strip()
        target = None
        for i in range(min(await options.count(), 8)):
            if (await options.nth(i).inner_text()).strip() not in ("", current):
                target = options.nth(i)
                break
        if target is None:
            await page.keyboard.press("Escape")
            return float("nan")
        start = time.perf_counter()
        await target.click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for f in page.frames:
                try:
                    now = await f.evaluate(_SIGNATURE_JS)
                except Exception:
                    continue
                if now and now != before:
                    return time.perf_counter() - start
            await asyncio.sleep(0.02)
        raise TimeoutError("la carte n'a pas changé de couleurs")
    finally:
        await browser.close()


async def _run(base_url: str, repeats: int) -> dict:
    from playwright.async_api import async_playwright

    from bench.wire import first_visit

    out: dict = {"map": {}, "interactive": {}, "change": [], "bytes": None}
    async with async_playwright() as p:
        for path in URLS:  # warm the server: the figures are the browser's, not the cold start
            await map_visible(p, base_url, path)
        for path in URLS:
            runs = [await map_visible(p, base_url, path) for _ in range(repeats)]
            out["map"][path] = [r[0] for r in runs]
            out["interactive"][path] = [r[1] for r in runs]
        out["change"] = [await indicator_change(p, base_url) for _ in range(repeats)]
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            out["bytes"] = await first_visit(browser, base_url, "/carte")
        finally:
            await browser.close()
    return out


def _line(label: str, times: list[float], target: float) -> str:
    med = statistics.median(times)
    verdict = "atteint" if med <= target else "manqué"
    runs = " ".join(f"{t:.2f}" for t in times)
    return f"  {label:<44} médiane {med:5.2f} s  (essais : {runs})  objectif ≤ {target} s : {verdict}"


def _info(label: str, times: list[float]) -> str:
    runs = " ".join(f"{t:.2f}" for t in times)
    return f"  {label:<44} médiane {statistics.median(times):5.2f} s  (essais : {runs})"


def main(argv: list[str] | None = None) -> int:
    from bench.load_test import serve_app

    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="navigateurs neufs par mesure")
    parser.add_argument("--script", default="serve.py", choices=["app.py", "serve.py"], help="app servie")
    parser.add_argument(
        "--reseau",
        default="local",
        choices=list(NETWORKS),
        help="réseau du navigateur : local, ou salle (Wi-Fi partagé : 2 Mbit/s, 100 ms)",
    )
    parser.add_argument("--url", help="serveur déjà lancé sur 127.0.0.1 (sinon on en démarre un)")
    parser.add_argument(
        "--store", type=Path, help="magasin avec la base construite (défaut : INDICATEURS_DATA)"
    )
    args = parser.parse_args(argv)
    global _network
    _network = NETWORKS[args.reseau]
    if args.url and urlsplit(args.url).hostname not in LOCAL_HOSTS:
        parser.error("seules les adresses locales (127.0.0.1) sont autorisées")
    store = args.store or (
        Path(os.environ["INDICATEURS_DATA"]) if os.environ.get("INDICATEURS_DATA") else None
    )
    print(
        "Machine partagée ? Les temps incluent le navigateur et valent pour la charge du moment (`uptime`)."
    )
    if args.url:
        result = asyncio.run(_run(args.url.rstrip("/"), args.repeats))
        label = args.url
    else:
        with serve_app(store, root=ROOT, script=args.script) as server:
            result = asyncio.run(_run(server.url, args.repeats))
        label = f"streamlit run {args.script}"
    print(f"\n=== navigateur neuf à chaque mesure, serveur chaud ({label}, réseau : {args.reseau})")
    for path, times in result["map"].items():
        print(_line(f"carte visible : {path}", times, MAP_TARGET))
    for path, times in result["interactive"].items():
        print(_info(f"carte interactive : {path}", times))
    print(_line("changement d'indicateur redessiné (/carte)", result["change"], CHANGE_TARGET))
    b = result["bytes"]
    total = b["http_wire_bytes"] + b["ws_wire_bytes"]
    print(
        f"  première visite de /carte : {total / 2**20:.2f} Mo sur le fil (HTTP {b['http_wire_bytes'] / 2**20:.2f}"
        f" Mo, dont JS {b['js_wire_bytes'] / 2**20:.2f} Mo ({b['js_compressed']}/{b['js_files']} compressés) ;"
        f" WebSocket ~{b['ws_wire_bytes'] / 2**20:.2f} Mo) ; objectif ≤ 2 Mo : "
        + ("atteint" if total <= BYTES_TARGET else "manqué")
    )
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    raise SystemExit(main())
