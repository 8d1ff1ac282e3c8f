"""Bytes on the wire of a first visit, in a fresh headless Chromium: direct and through nginx.

`python -m bench.ws_load octets` (or `python -m bench.wire`) starts `streamlit run app.py` alone, then
one instance behind nginx (`indicateurs servir`), and for each page opens a fresh browser context and
counts, from the DevTools protocol: HTTP bytes as received (`encodedDataLength`: compressed when the
server compressed), the same bytes decoded, WebSocket payloads (after permessage-deflate), and when
Streamlit's 4.7 MB Plotly bundle (`PlotlyChart.*.js`) was fetched compared with the first map drawn.

Streamlit 1.67 serves `/static/` uncompressed on purpose (`SelectiveGZipMiddleware` bypasses it,
no option changes that): nginx compresses them, and `streamlit run serve.py` (st.App with a
middleware that gzips each bundle once) when the app is served alone.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from bench.load_test import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, wait_for_map

__all__ = ["first_visit", "main"]

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 2 * 2**20
PAGES = (
    "/carte",
    "/carte?territoire=epci:200066926",
    "/profil?territoire=epci:200066926",
    "/comparer",
    "/ressources",
    "/atelier?territoire=epci:200066926",
    "/sources",
)


async def first_visit(browser, base_url: str, path: str, timeout: float = 180) -> dict:
    """One fresh context opening `path`; bytes and timings until the map is drawn and the network idle."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []

    async def local_only(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", local_only)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    urls: dict[str, str] = {}
    wire: dict[str, int] = {}
    decoded: dict[str, int] = {}
    encoding: dict[str, str] = {}
    finished_at: dict[str, float] = {}
    ws_bytes = [0, 0]  # payload after decompression, and an estimate of its size on the wire
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)  # permessage-deflate keeps its window (context)
    t0 = time.perf_counter()

    def on_request(e) -> None:
        urls[e["requestId"]] = e["request"]["url"]

    def on_response(e) -> None:
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        encoding[e["requestId"]] = headers.get("content-encoding", "")

    def on_data(e) -> None:
        decoded[e["requestId"]] = decoded.get(e["requestId"], 0) + e.get("dataLength", 0)

    def on_finished(e) -> None:
        wire[e["requestId"]] = int(e.get("encodedDataLength", 0))
        finished_at[e["requestId"]] = time.perf_counter() - t0

    def on_frame(e) -> None:
        payload = e["response"].get("payloadData", "")
        data = base64.b64decode(payload) if e["response"].get("opcode") == 2 else payload.encode()
        ws_bytes[0] += len(data)
        ws_bytes[1] += len(deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4 + 6

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.dataReceived", on_data)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    try:
        await page.goto(f"{base_url}{path}", wait_until="domcontentloaded", timeout=timeout * 1000)
        drawn = await wait_for_map(page, timeout)
        map_at = time.perf_counter() - t0 if drawn else None
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=10_000)
        await asyncio.sleep(0.5)
    finally:
        await context.close()
    plotly = [rid for rid, u in urls.items() if "/PlotlyChart." in u]
    plotly_at = min((finished_at.get(r, float("inf")) for r in plotly), default=None)
    js = [r for r, u in urls.items() if u.split("?")[0].endswith(".js")]
    return {
        "path": path,
        "http_wire_bytes": sum(wire.values()),
        "http_decoded_bytes": sum(decoded.values()),
        "js_wire_bytes": sum(wire.get(r, 0) for r in js),
        "js_compressed": sum(1 for r in js if encoding.get(r)),
        "js_files": len(js),
        "ws_bytes": ws_bytes[0],
        "ws_wire_bytes": ws_bytes[1],
        "largest": sorted(((wire.get(r, 0), urls[r].rsplit("/", 1)[-1][:40]) for r in urls), reverse=True)[
            :4
        ],
        "requests": len(urls),
        "map_s": round(map_at, 2) if map_at is not None else None,
        "plotly_s": round(plotly_at, 2) if plotly_at is not None else None,
        "plotly_before_map": plotly_at is not None and (map_at is None or plotly_at < map_at),
        "blocked": len(blocked),
    }


async def _visits(base_url: str, paths: tuple[str, ...]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A first visit warms the server's caches: the figures are the browser's, not the cold start.
            await first_visit(browser, base_url, paths[0])
            return [await first_visit(browser, base_url, path) for path in paths]
        finally:
            await browser.close()


def _mb(n: int) -> str:
    return f"{n / 2**20:.2f}"


def _print(label: str, rows: list[dict]) -> None:
    print(f"\n=== première visite, {label} (navigateur neuf, serveur chaud)")
    print(
        f"  {'page':<38} {'HTTP reçu':>9} {'décodé':>7} {'JS reçu':>7} {'JS gzip':>8} "
        f"{'WS':>6} {'WS fil':>6} {'carte':>6} {'Plotly':>7} {'Plotly avant carte':>19}"
    )
    for r in rows:
        verdict = (
            ""
            if not r["path"].startswith("/carte")
            else (
                "  ≤ 2 Mo : atteint"
                if r["http_wire_bytes"] + r["ws_wire_bytes"] <= TARGET_BYTES
                else "  ≤ 2 Mo : manqué"
            )
        )
        print(
            f"  {r['path']:<38} {_mb(r['http_wire_bytes']):>9} {_mb(r['http_decoded_bytes']):>7} "
            f"{_mb(r['js_wire_bytes']):>7} {r['js_compressed']:>3}/{r['js_files']:<4} {_mb(r['ws_bytes']):>6} {_mb(r['ws_wire_bytes']):>6} "
            f"{r['map_s'] if r['map_s'] is not None else '-':>6} {r['plotly_s'] if r['plotly_s'] is not None else '-':>7} "
            f"{'oui' if r['plotly_before_map'] else 'non':>19}{verdict}"
        )
    for r in rows[:1]:
        print(
            "  plus gros fichiers de "
            + r["path"]
            + " : "
            + ", ".join(f"{n} {_mb(b)} Mo" for b, n in r["largest"])
        )
    print(
        "  (Mo ; HTTP reçu = octets sur le fil ; WS = messages décompressés, WS fil = estimation compressée"
        " (deflate, comme permessage-deflate) ; objectif ≤ 2 Mo = HTTP reçu + WS fil ; temps en s)"
    )


def main(store: Path | None = None, pages: tuple[str, ...] = PAGES) -> int:
    from bench.load_test import serve_app
    from indicateurs.cli.servir import cluster

    print("Machine partagée ? Les temps valent pour la charge du moment ; les octets, non.")
    with serve_app(store, root=ROOT) as server:
        _print("streamlit run app.py", asyncio.run(_visits(server.url, pages)))
    with serve_app(store, root=ROOT, script="serve.py") as server:
        _print(
            "streamlit run serve.py (bundles gzip en mémoire)", asyncio.run(_visits(server.url, pages[:3]))
        )
    env = {"INDICATEURS_DATA": str(store)} if store else {}
    with cluster(1, root=ROOT, env=env) as c:
        _print("derrière nginx (gzip)", asyncio.run(_visits(c.url, pages[:3])))
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    data = os.environ.get("INDICATEURS_DATA")
    raise SystemExit(main(Path(data) if data else None))
