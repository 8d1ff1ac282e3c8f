"""Workshop load test: N participants at once on one Streamlit server, measured.

`python -m bench.load_test --sessions 5 15 30` starts `streamlit run serve.py` on a free localhost
port (`serve.py`: the app as served; one fresh server per N, so that memory figures do not leak from one run to the next), then
drives N browser contexts of one headless Chromium concurrently. Each participant opens the Carte,
waits for the map to be drawn, changes the territory and the indicator, opens the profile and
downloads its PDF. It prints, per N: p50/p95 time of each interaction, errors, the server's peak
memory (RSS of the process tree, sampled every 0.2 s) and the memory added per session.

Every request that leaves 127.0.0.1 is blocked and counted (the app must work offline). The run is
bounded (per-step timeout, overall deadline) and always stops the server it started.

Not a `bench_*.py` module on purpose: `python -m bench` does not run it (it takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from indicateurs.cli.servir import streamlit_command

__all__ = ["Server", "free_port", "main", "percentile", "run_load", "serve_app", "wait_for_map", "wait_idle"]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
STEPS = ("ouvrir_carte", "changer_territoire", "changer_indicateur", "ouvrir_profil", "telecharger_pdf")
# Territories a participant may pick (typed in the sidebar search): one EPCI per session, round robin.
TERRITORIES = (
    "Haut Val de Sèvre",
    "Lens-Liévin",
    "Pays de Morlaix",
    "Grand Poitiers",
    "Métropole Européenne de Lille",
    "Pays Basque",
)


# ------------------------------------------------------------------------------------------ server


@dataclass
class Server:
    """A running `streamlit run app.py` and its memory sampler."""

    url: str
    process: subprocess.Popen
    log: Path
    samples: list[tuple[float, int]] = field(default_factory=list)
    client_cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU s of our browsers
    _stop: threading.Event = field(default_factory=threading.Event)

    def rss(self) -> int:
        """Current resident memory of the server and its children, in bytes."""
        import psutil

        try:
            proc = psutil.Process(self.process.pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            with suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the server process."""
        import psutil

        try:
            t = psutil.Process(self.process.pid).cpu_times()
        except psutil.NoSuchProcess:
            return 0.0
        return t.user + t.system

    def _sample_clients(self) -> None:
        """CPU used so far by the other processes we started (Playwright and Chromium)."""
        import psutil

        server = {self.process.pid}
        with suppress(psutil.NoSuchProcess):
            server |= {c.pid for c in psutil.Process(self.process.pid).children(recursive=True)}
        for child in psutil.Process().children(recursive=True):
            if child.pid not in server:
                with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    t = child.cpu_times()
                    self.client_cpu[child.pid] = t.user + t.system

    def start_sampling(self, every: float = 0.2) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                self.samples.append((time.monotonic(), self.rss()))
                self._sample_clients()
                self._stop.wait(every)

        threading.Thread(target=loop, daemon=True, name="rss-sampler").start()

    def peak_since(self, start: float) -> int:
        values = [rss for t, rss in list(self.samples) if t >= start]
        return max(values, default=self.rss())


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def serve_app(
    store: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    root: Path = ROOT,
    start_timeout: float = 90,
    script: str = "serve.py",
) -> Iterator[Server]:
    """Run `streamlit run serve.py` (of `root`: the app as served, see serve.py) on a free 127.0.0.1
    port until the block ends, then stop it. `script="app.py"` runs the bare app."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
        "INDICATEURS_MIROIR": os.environ.get("INDICATEURS_MIROIR", "/work/shared/data"),
        **(env or {}),
    }
    if store is not None:
        full_env["INDICATEURS_DATA"] = str(store)
    log = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    cmd = streamlit_command(port, script=script)
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(url, process, log)
    try:
        deadline = time.monotonic() + start_timeout
        while not _health(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Le serveur Streamlit n'a pas démarré : voir {log}\n{log.read_text()[-2000:]}"
                )
            time.sleep(0.25)
        server.start_sampling()
        yield server
    finally:
        server._stop.set()
        _stop_process(process)


def _stop_process(process: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# -------------------------------------------------------------------------------- page helpers

_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? app.getAttribute('data-test-script-state') : null;
}"""


async def wait_idle(page, timeout: float = 120, *, started: float = 1.5) -> None:
    """Wait until Streamlit has finished the run triggered by the last action.

    The run may not have started yet when this is called: first give it `started` seconds to
    leave the idle state, then wait for it to be idle again (`data-test-script-state`).
    """
    with suppress(Exception):  # already done (fast run) or no run at all
        await page.wait_for_function(
            f"() => ({_STATE_JS})() !== 'notRunning'", timeout=started * 1000, polling=50
        )
    await page.wait_for_function(
        f"() => ({_STATE_JS})() === 'notRunning'", timeout=timeout * 1000, polling=100
    )


async def wait_for_map(page, timeout: float = 120, *, quiet: float = 3.0) -> bool:
    """Wait until a Leaflet map has drawn its shapes in any frame.

    False when the page has no map: the app stayed idle for `quiet` seconds with no map component
    and no element still loading (Streamlit chains runs, e.g. on a page switch).
    """
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        for frame in page.frames:
            with suppress(Exception):  # a frame detached while we looked
                if await frame.locator(".leaflet-container path").count():
                    return True
        state = await page.evaluate(_STATE_JS)
        pending = await page.locator(
            'iframe[title*="folium"], .leaflet-container, [data-testid^="stSkeleton"], [data-testid="stAppSkeleton"]'
        ).count()
        if state == "notRunning" and not pending:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > quiet:
                return False
        else:
            quiet_since = None
        await asyncio.sleep(0.2)
    raise TimeoutError("la carte ne s'est pas affichée")


async def _exceptions(page) -> int:
    return await page.locator('[data-testid="stException"]').count()


async def _pick(page, label: str, text: str | None, timeout: float) -> str | None:
    """Choose an option of the selectbox labelled `label` (a combobox): the first match of `text`,
    else another option than the current one. None if the page has no such widget."""
    box = page.get_by_role("combobox", name=label, exact=True)
    if not await box.count():
        return None
    box = box.first
    current = (await box.input_value()).strip()
    await box.click()
    if text:
        await page.keyboard.press("ControlOrMeta+A")
        await page.keyboard.type(text, delay=20)
    options = page.get_by_role("option")
    await options.first.wait_for(timeout=timeout * 1000)
    for i in range(min(await options.count(), 8)):
        option_text = (await options.nth(i).inner_text()).strip()
        if option_text and option_text != current:
            await options.nth(i).click()
            return option_text
    await page.keyboard.press("Escape")
    return current


async def dismiss_dialog(page) -> str | None:
    """Close a modal dialog left open by Streamlit (e.g. "Page not found"); returns its text."""
    dialog = page.get_by_role("dialog")
    if not await dialog.count():
        return None
    text = (await dialog.first.inner_text()).strip().splitlines()[0][:80]
    await page.keyboard.press("Escape")
    await dialog.first.wait_for(state="hidden", timeout=5000)
    return text


async def legacy_pages(page) -> bool:
    """True when the sidebar lists the files of `pages/` (Streamlit's legacy multipage mode, main
    script shown as "app"): a direct link like /carte then runs the page file without app.py."""
    texts = await page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return any(t.strip() == "app" for t in texts)


# ------------------------------------------------------------------------------------- sessions


@dataclass
class Record:
    """What the participants of one run measured."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)


async def _participant(
    browser, url: str, n: int, rec: Record, step_timeout: float, think: float, shots: Path | None
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)

    async def block(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            await route.continue_()
        else:
            rec.blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", block)
    page = await context.new_page()
    page.set_default_timeout(step_timeout * 1000)
    page.on("pageerror", lambda exc: rec.page_errors.append(f"session {n}: {exc}"))

    idle: list[float] = []  # when the server finished the run of the current step

    async def settled(started: float = 1.5) -> None:
        await wait_idle(page, step_timeout, started=started)
        idle.append(time.perf_counter())

    async def step(name: str, action) -> None:
        idle.clear()
        start = time.perf_counter()
        try:
            done = await asyncio.wait_for(action(), timeout=step_timeout)
        except Exception as exc:  # timeouts and missing elements are measured, not fatal
            first = (str(exc).strip().splitlines() or [""])[0][:160]
            rec.errors.append(f"session {n} {name}: {type(exc).__name__} {first}")
            if shots is not None:
                await page.screenshot(path=str(shots / f"erreur-{name}-{n}.png"))
            return
        if done is False:
            rec.skipped[name] += 1
            if shots is not None:
                await page.screenshot(path=str(shots / f"sautee-{name}-{n}.png"))
            return
        rec.times[name].append(time.perf_counter() - start)
        rec.server[name].append((idle[-1] if idle else time.perf_counter()) - start)
        if await _exceptions(page):
            rec.errors.append(f"session {n} {name}: exception affichée par la page")
        if think:
            await asyncio.sleep(think)

    async def open_map() -> bool:
        await page.goto(f"{url}/carte", wait_until="domcontentloaded")
        await settled(5)
        drawn = await wait_for_map(page, step_timeout)
        if await legacy_pages(page):  # measure the real app anyway, and say why
            rec.warnings.add("le lien direct /carte exécute pages/carte.py sans app.py (dossier pages/)")
            await page.goto(f"{url}/", wait_until="domcontentloaded")
            await settled(5)
            drawn = await wait_for_map(page, step_timeout)
        dialog = await dismiss_dialog(page)
        if dialog:
            rec.warnings.add(f"boîte de dialogue à l'ouverture de /carte : « {dialog} »")
        return drawn

    async def change_territory() -> bool:
        name = TERRITORIES[n % len(TERRITORIES)]
        search = page.get_by_role("textbox", name="Rechercher un territoire")
        if await search.count():  # search box filtering on the server, first match chosen on Enter
            await search.first.fill(name)
            await search.first.press("Enter")
        elif await _pick(page, "Territoire", name, step_timeout) is None:
            return False
        await settled()
        await wait_for_map(page, step_timeout)
        return True

    async def change_indicator() -> bool:
        chosen = await _pick(page, "Indicateur", None, step_timeout)
        if chosen is None:
            return False
        await settled()
        await wait_for_map(page, step_timeout)
        return True

    async def open_profile() -> bool:
        link = page.locator('[data-testid="stSidebarNav"] a[href$="/profil"]')
        if await link.count():
            await link.first.click()
        else:
            await page.goto(f"{url}/profil", wait_until="domcontentloaded")
        await page.wait_for_url("**/profil**")
        await settled(3)
        return True

    async def download_pdf() -> bool:
        button = page.locator('[data-testid="stDownloadButton"] button', has_text="PDF")
        if not await button.count():
            generate = page.get_by_role("button", name="PDF")
            if not await generate.count():
                return False
            await generate.first.click()  # a "prepare the PDF" button, then the download button
            await wait_idle(page, step_timeout)
            await button.first.wait_for(timeout=step_timeout * 1000)
        async with page.expect_download(timeout=step_timeout * 1000) as info:
            await button.first.click()
        download = await info.value
        path = await download.path()
        head = Path(path).read_bytes()[:5] if path else b""
        if head != b"%PDF-":
            raise ValueError(f"le fichier téléchargé n'est pas un PDF ({head!r})")
        return True

    try:
        for name, action in zip(
            STEPS, (open_map, change_territory, change_indicator, open_profile, download_pdf), strict=True
        ):
            await step(name, action)
    finally:
        await context.close()


async def _drive(
    url: str,
    sessions: int,
    *,
    step_timeout: float,
    think: float,
    ramp: float,
    deadline: float,
    shots: Path | None = None,
) -> Record:
    from playwright.async_api import async_playwright

    rec = Record()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:

            async def delayed(i: int) -> None:
                await asyncio.sleep(ramp * i / max(sessions, 1))
                await _participant(browser, url, i, rec, step_timeout, think, shots)

            tasks = [asyncio.create_task(delayed(i)) for i in range(sessions)]
            done, pending = await asyncio.wait(tasks, timeout=deadline)
            for task in pending:
                task.cancel()
                rec.errors.append("session arrêtée : délai global dépassé")
            for task in done:
                if task.exception() is not None:
                    rec.errors.append(f"session en échec : {task.exception()!r}"[:200])
        finally:
            await browser.close()
    return rec


# ----------------------------------------------------------------------------------------- runs


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_load(
    sessions: int,
    *,
    store: Path | None = None,
    step_timeout: float = 120,
    think: float = 0.5,
    ramp: float = 0.0,
    deadline: float = 900,
    root: Path = ROOT,
    shots: Path | None = None,
) -> dict:
    """One fresh server, one warm-up participant, then `sessions` concurrent participants."""
    with serve_app(store, root=root) as server:
        cold = server.rss()
        warm = asyncio.run(
            _drive(server.url, 1, step_timeout=step_timeout, think=0, ramp=0, deadline=deadline, shots=shots)
        )
        time.sleep(1.0)
        baseline = server.rss()
        cpu0, start = server.cpu_seconds(), time.monotonic()
        server.client_cpu.clear()
        rec = asyncio.run(
            _drive(
                server.url,
                sessions,
                step_timeout=step_timeout,
                think=think,
                ramp=ramp,
                deadline=deadline,
                shots=shots,
            )
        )
        wall = time.monotonic() - start
        peak = server.peak_since(start)
        cpu = server.cpu_seconds() - cpu0
        client_cpu = sum(server.client_cpu.values())
    all_times = [t for ts in rec.times.values() for t in ts]
    per_interaction = cpu / max(len(all_times), 1)
    return {
        "sessions": sessions,
        "wall_s": round(wall, 1),
        "server_cpu_s": round(cpu, 1),
        "browsers_cpu_s": round(client_cpu, 1),
        "server_cpu_per_step_s": round(per_interaction, 2),
        "steps": {
            name: {
                "n": len(rec.times.get(name, [])),
                "p50_s": round(percentile(rec.times.get(name, []), 0.5), 2),
                "p95_s": round(percentile(rec.times.get(name, []), 0.95), 2),
                "server_p50_s": round(percentile(rec.server.get(name, []), 0.5), 2),
                "server_p95_s": round(percentile(rec.server.get(name, []), 0.95), 2),
                "skipped": rec.skipped.get(name, 0),
            }
            for name in STEPS
        },
        "all_p50_s": round(percentile(all_times, 0.5), 2),
        "all_p95_s": round(percentile(all_times, 0.95), 2),
        "errors": rec.errors,
        "warnings": sorted(rec.warnings | warm.warnings),
        "warmup_errors": warm.errors,
        "page_errors": rec.page_errors[:20],
        "blocked_requests": len(rec.blocked),
        "blocked_examples": sorted(set(rec.blocked))[:5],
        "rss_cold_mb": round(cold / 2**20, 1),
        "rss_baseline_mb": round(baseline / 2**20, 1),
        "rss_peak_mb": round(peak / 2**20, 1),
        "mb_per_session": round((peak - baseline) / 2**20 / sessions, 1),
    }


def run_server_only(
    sessions: int, *, store: Path | None = None, root: Path = ROOT, timeout: float = 600
) -> dict:
    """The server's share alone: `sessions` AppTest sessions in threads of this process (no browser).

    Streamlit runs each session's script in its own thread of one process, as here, sharing the
    caches: this measures the script runs under the GIL without the browsers' CPU, which on a real
    workshop runs on the participants' devices. Memory is this process's RSS.
    """
    import psutil

    if store is not None:
        os.environ["INDICATEURS_DATA"] = str(store)
    for path in (str(root / "src"), str(root)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    class _Navigation(pages_manager.PagesManager):  # st.navigation with a legacy pages/ folder
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pages_manager.PagesManager.uses_pages_directory = False

    app_test.PagesManager = _Navigation
    me = psutil.Process()
    rec = Record()
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', (root / "app.py").read_text(encoding="utf-8"))
    profile_page = next(p for p in pages if p.endswith("profil.py"))

    def participant(n: int) -> None:
        def step(name: str, action) -> None:
            start = time.perf_counter()
            try:
                at = action()
            except Exception as exc:  # measured, not fatal
                rec.errors.append(f"session {n} {name}: {type(exc).__name__} {str(exc)[:120]}")
                return
            if at is None:
                rec.skipped[name] += 1
                return
            rec.times[name].append(time.perf_counter() - start)
            if at.exception:
                trace = [line for e in at.exception for line in e.stack_trace if line.strip()]
                if any("Runtime hasn't been created" in line for line in trace):
                    rec.warnings.add(
                        "artefact d'AppTest en fils parallèles (runtime simulé partagé), pas de l'app"
                    )
                    return
                where = " | ".join(trace[-2:])[:300]
                rec.errors.append(f"session {n} {name}: exception affichée par la page : {where}")

        at = app_test.AppTest.from_file(str(root / "app.py"), default_timeout=timeout)
        step("ouvrir_carte", at.run)

        def territory():
            boxes = [w for w in at.text_input if w.key == "recherche_territoire"]
            return boxes[0].input(TERRITORIES[n % len(TERRITORIES)]).run() if boxes else None

        def indicator():
            boxes = [w for w in at.selectbox if w.key == "indicateur"]
            if not boxes:
                return None
            other = next(o for o in boxes[0].options if o != boxes[0].value)
            return boxes[0].set_value(other).run() if isinstance(other, str) else boxes[0].select(other).run()

        step("changer_territoire", territory)
        step("changer_indicateur", indicator)
        step("ouvrir_profil", lambda: at.switch_page(profile_page).run())

    participant(-1)  # warm the shared caches, as the browser run does
    rec = Record()
    baseline, cpu0 = me.memory_info().rss, sum(me.cpu_times()[:2])
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            peak[0] = max(peak[0], me.memory_info().rss)

    threading.Thread(target=sample, daemon=True).start()
    start = time.monotonic()
    threads = [threading.Thread(target=participant, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    stop.set()
    wall, cpu = time.monotonic() - start, sum(me.cpu_times()[:2]) - cpu0
    all_times = [t for ts in rec.times.values() for t in ts]
    return {
        "sessions": sessions,
        "mode": "serveur seul (AppTest)",
        "wall_s": round(wall, 1),
        "server_cpu_s": round(cpu, 1),
        "server_cpu_per_step_s": round(cpu / max(len(all_times), 1), 2),
        "steps": {
            name: {
                "n": len(rec.times.get(name, [])),
                "p50_s": round(percentile(rec.times.get(name, []), 0.5), 2),
                "p95_s": round(percentile(rec.times.get(name, []), 0.95), 2),
                "skipped": rec.skipped.get(name, 0),
            }
            for name in STEPS
            if name != "telecharger_pdf"
        },
        "all_p50_s": round(percentile(all_times, 0.5), 2),
        "all_p95_s": round(percentile(all_times, 0.95), 2),
        "errors": rec.errors,
        "warnings": sorted(rec.warnings),
        "rss_baseline_mb": round(baseline / 2**20, 1),
        "rss_peak_mb": round(peak[0] / 2**20, 1),
        "mb_per_session": round((peak[0] - baseline) / 2**20 / sessions, 1),
    }


def _server_only_in_fresh_process(sessions: int, store: Path | None, root: Path) -> dict:
    """One process per N, so that memory freed by a previous run does not hide what N needs."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        code = "import json, sys; from pathlib import Path; from bench.load_test import run_server_only; "
        code += "r = run_server_only(int(sys.argv[1]), store=Path(sys.argv[2]) if sys.argv[2] else None, "
        code += "root=Path(sys.argv[3])); Path(sys.argv[4]).write_text(json.dumps(r))"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root), str(ROOT)])}
        subprocess.run(
            [sys.executable, "-c", code, str(sessions), str(store or ""), str(root), str(out)],
            cwd=root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


def _print_server_only(result: dict) -> None:
    print(
        f"\n=== {result['sessions']} sessions, serveur seul sans navigateur ({result['wall_s']} s ; "
        f"CPU {result['server_cpu_s']} s, soit {result['server_cpu_per_step_s']} s par interaction)"
    )
    print(f"  {'étape':<20} {'n':>3} {'p50':>6} {'p95':>6} {'sautées':>8}")
    for name, s in result["steps"].items():
        print(f"  {name:<20} {s['n']:>3} {s['p50_s']:>6} {s['p95_s']:>6} {s['skipped']:>8}")
    print(f"  {'toutes étapes':<20} {'':>3} {result['all_p50_s']:>6} {result['all_p95_s']:>6}")
    print(f"  erreurs : {len(result['errors'])} {result['errors'][:3]}")
    for w in result.get("warnings", []):
        print(f"  attention : {w}")
    print(
        f"  mémoire : après échauffement {result['rss_baseline_mb']} Mo, pic {result['rss_peak_mb']} Mo, "
        f"soit {result['mb_per_session']} Mo par session ajoutée"
    )


def _print(result: dict) -> None:
    n = result["sessions"]
    print(
        f"\n=== {n} sessions simultanées ({result['wall_s']} s ; CPU serveur {result['server_cpu_s']} s, "
        f"CPU navigateurs {result['browsers_cpu_s']} s)"
    )
    print("  temps jusqu'à l'écran à jour (total) et jusqu'à la fin du calcul serveur (serveur), en s")
    head = f"  {'étape':<20} {'n':>3} {'p50':>6} {'p95':>6} {'serveur p50':>12} {'serveur p95':>12} {'sautées':>8}"
    print(head)
    for name, s in result["steps"].items():
        print(
            f"  {name:<20} {s['n']:>3} {s['p50_s']:>6} {s['p95_s']:>6} "
            f"{s['server_p50_s']:>12} {s['server_p95_s']:>12} {s['skipped']:>8}"
        )
    print(f"  {'toutes étapes':<20} {'':>3} {result['all_p50_s']:>6} {result['all_p95_s']:>6}")
    if result["warmup_errors"]:
        print(f"  erreurs pendant l'échauffement : {result['warmup_errors'][:3]}")
    print(f"  CPU serveur par interaction : {result['server_cpu_per_step_s']} s")
    print(f"  erreurs : {len(result['errors'])}")
    for e in result["errors"][:10]:
        print(f"    - {e}")
    for w in result["warnings"]:
        print(f"  attention : {w}")
    if result["page_errors"]:
        print(f"  erreurs JavaScript : {len(result['page_errors'])} (ex. {result['page_errors'][0][:120]})")
    print(f"  requêtes hors 127.0.0.1 bloquées : {result['blocked_requests']} {result['blocked_examples']}")
    print(
        f"  mémoire serveur : au démarrage {result['rss_cold_mb']} Mo, après échauffement "
        f"{result['rss_baseline_mb']} Mo, pic {result['rss_peak_mb']} Mo, "
        f"soit {result['mb_per_session']} Mo par session ajoutée"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 15, 30], help="N sessions simultanées")
    parser.add_argument(
        "--store", type=Path, help="magasin avec la base construite (défaut : INDICATEURS_DATA)"
    )
    parser.add_argument("--step-timeout", type=float, default=120, help="délai maximal d'une étape (s)")
    parser.add_argument(
        "--think", type=float, default=0.5, help="pause entre deux étapes d'un participant (s)"
    )
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="étalement des arrivées sur ce nombre de secondes"
    )
    parser.add_argument("--deadline", type=float, default=900, help="durée maximale d'une série (s)")
    parser.add_argument("--root", type=Path, default=ROOT, help="dossier de l'application (app.py)")
    parser.add_argument(
        "--captures", type=Path, help="dossier où enregistrer une capture de chaque étape en échec"
    )
    parser.add_argument(
        "--serveur-seul",
        action="store_true",
        help="sans navigateur : sessions AppTest dans des fils de ce processus (part du serveur seule)",
    )
    parser.add_argument(
        "--protocole",
        action="store_true",
        help="sans navigateur, par le WebSocket de Streamlit (bench.ws_load) : salle de 3 min puis rush",
    )
    parser.add_argument("--json", type=Path, help="écrire aussi les résultats dans ce fichier JSON")
    args = parser.parse_args(argv)
    if args.protocole:  # the server's share, through its real protocol: see bench/ws_load.py
        from bench import ws_load

        store_args = ["--store", str(args.store)] if args.store else []
        for n in args.sessions:
            ws_load.main(["salle", "--participants", str(n), "--duree", "180", *store_args])
            ws_load.main(["rush", "--participants", str(n), *store_args])
        return 0
    store = args.store or (
        Path(os.environ["INDICATEURS_DATA"]) if os.environ.get("INDICATEURS_DATA") else None
    )
    if store is not None and not (store / "base" / "report.json").exists():
        print(f"Base absente dans {store} : lancez d'abord « python -m indicateurs build ».", file=sys.stderr)
        return 2
    results = []
    for n in args.sessions:
        if args.serveur_seul:
            result = _server_only_in_fresh_process(n, store, args.root)
            _print_server_only(result)
            results.append(result)
            continue
        result = run_load(
            n,
            store=store,
            step_timeout=args.step_timeout,
            think=args.think,
            ramp=args.ramp,
            deadline=args.deadline,
            root=args.root,
            shots=args.captures,
        )
        _print(result)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
