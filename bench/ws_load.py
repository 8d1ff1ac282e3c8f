"""Server-alone load test: participants driven through Streamlit's own WebSocket protocol, no browser.

`python -m bench.ws_load salle` starts `streamlit run app.py` (or N instances behind nginx with
`--instances 1 2`), then each participant opens a WebSocket on `/_stcore/stream` exactly as the
Streamlit frontend does: a `rerun_script` BackMsg with the page name and query string, then widget
changes as `WidgetStates`; an interaction ends with the `script_finished` ForwardMsg of its last run.
So the measure includes the script run, protobuf serialisation, permessage-deflate compression and the
proxy, but none of the browsers' CPU (which, on a real workshop, runs on the participants' devices).

Scenarios:
- `salle` (room): P participants, each doing one interaction every 8–12 s (random think time) for
  D seconds: open the Carte, search a territory, change the indicator, toggle the neighbours, open
  the Profil, back to the Carte, ...
- `rush` (worst case): P participants open the Carte at the same second.
- `debit` (throughput): P participants with no think time for D seconds, with 1 then 2 instances.
- `octets` (wire): bytes of a first visit of /carte in headless Chromium, direct and through nginx,
  and which pages load the Plotly bundle before their first map.

Every address is 127.0.0.1; every loop is bounded by a deadline; what we start is always stopped.
Not a `bench_*.py` module on purpose: `python -m bench` does not run it (it takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.load_test import percentile

__all__ = [
    "Participant",
    "RunResult",
    "main",
    "percentile",
    "rush",
    "salle",
    "servers",
]

ROOT = Path(__file__).resolve().parents[1]
TERRITORY_QUERIES = ("Haut Val de Sèvre", "Lens-Liévin", "Pays de Morlaix", "Grand Poitiers", "Pays Basque")
TOUR = ("territoire", "indicateur", "voisins", "profil", "carte", "indicateur")


# ------------------------------------------------------------------------------------ one participant


@dataclass
class RunResult:
    """What one interaction cost, seen from the client."""

    seconds: float
    messages: int
    bytes: int  # protobuf bytes received (after permessage-deflate decompression)
    exceptions: list[str]
    status: str


@dataclass
class Widget:
    id: str
    kind: str
    proto: object
    fragment_id: str


class ProtocolError(RuntimeError):
    """The server answered something a browser would show as a failure."""


class Participant:
    """One browser tab, spoken at the protocol level: HTTP page load (for the proxy's cookie), then the
    WebSocket session. Keeps the widgets of the last run so that later interactions can change them."""

    def __init__(self, base_url: str, *, timeout: float = 120, cookies: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = dict(cookies or {})
        self.upstreams: list[str] = []  # X-Upstream of every HTTP and WebSocket answer (through nginx)
        self.widgets: dict[str, Widget] = {}  # by user key
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self.texts: list[str] = []  # markdown/text/headings of the current page, for assertions
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._done: asyncio.Future | None = None
        self._run_bytes = 0
        self._run_messages = 0
        self._exceptions: list[str] = []
        self._cached: set[str] = set()
        self._sent_widgets: dict[str, object] = {}

    # ------------------------------------------------------------------ connection

    def _http_get(self, path: str) -> None:
        """The page load a browser does first: it gets the proxy's sticky-session cookie."""
        # as a browser asks for it: the page then comes with its first view (serve.py), gzipped
        headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Encoding": "gzip"}
        request = urllib.request.Request(f"{self.base_url}{path}", headers=headers)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.headers.get("X-Upstream"):
                self.upstreams.append(response.headers["X-Upstream"])

    async def connect(self, path: str = "/carte") -> None:
        import websockets

        await asyncio.to_thread(self._http_get, path)
        host = urlsplit(self.base_url).netloc
        headers = {"Origin": f"http://{host}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            compression="deflate",
        )
        upstream = self._ws.response.headers.get("X-Upstream")
        if upstream:
            self.upstreams.append(upstream)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._run_bytes += len(data)
                self._run_messages += 1
                self._handle(msg)
        except Exception as exc:  # connection lost: the pending interaction fails
            if self._done is not None and not self._done.done():
                self._done.set_exception(ProtocolError(f"connexion perdue : {exc!r}"[:200]))
            return
        if self._done is not None and not self._done.done():
            self._done.set_exception(ProtocolError("connexion fermée par le serveur"))

    def _handle(self, msg) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if msg.metadata.cacheable and msg.hash:
            self._cached.add(msg.hash)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
            for page in msg.new_session.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
            for page in msg.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self._exceptions.append(f"page introuvable : {msg.page_not_found.page_name}")
        elif kind == "delta":
            self._delta(msg.delta)
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # another run follows (callback, st.switch_page, st.rerun)
            if self._done is not None and not self._done.done():
                self._done.set_result(status)

    def _delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self._exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])
            return
        if kind in ("markdown", "heading", "text", "alert"):
            self.texts.append(getattr(element, kind).body)
            return
        proto = getattr(element, kind, None)
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if widget_id and widget_id.startswith("$$"):
            key = widget_id.rsplit("-", 1)[-1]
            self.widgets[key] = Widget(widget_id, kind, proto, delta.fragment_id)

    # ------------------------------------------------------------------ runs

    async def _rerun(self, *, page_name: str = "", page_hash: str = "", fragment_id: str = "", trigger=None):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.cached_message_hashes.extend(sorted(self._cached))
        state.context_info.timezone = "Europe/Paris"
        state.context_info.locale = "fr-FR"
        state.context_info.url = f"{self.base_url}/{page_name}"
        for widget_id, value in self._sent_widgets.items():
            _set_widget_value(state.widget_states.widgets.add(), widget_id, value)
        if trigger is not None:
            w = state.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True
        loop = asyncio.get_running_loop()
        self._done = loop.create_future()
        self._run_bytes = self._run_messages = 0
        self._exceptions = []
        if not fragment_id:
            self.texts = []
        start = time.perf_counter()
        await self._ws.send(back.SerializeToString())
        try:
            status = await asyncio.wait_for(self._done, self.timeout)
        except TimeoutError as exc:
            raise ProtocolError(f"pas de fin d'exécution après {self.timeout} s") from exc
        return RunResult(
            time.perf_counter() - start, self._run_messages, self._run_bytes, list(self._exceptions), status
        )

    async def open(self, page: str = "carte", query: dict[str, str] | None = None) -> RunResult:
        """A first visit (or a page switch by URL): the frontend's first rerun_script."""
        self.query_string = urlencode(query or {})
        self.widgets.clear()
        self._sent_widgets.clear()
        return await self._rerun(page_name=page)

    async def switch(self, page: str) -> RunResult:
        """A click on the page's link in the sidebar."""
        page_hash = self.pages.get(page)
        if page_hash is None:
            raise ProtocolError(f"page {page!r} absente de la navigation ({sorted(self.pages)})")
        self.query_string = ""
        self.widgets.clear()
        self._sent_widgets = {}
        return await self._rerun(page_hash=page_hash)

    async def set(self, key: str, value) -> RunResult:
        """Change the widget of user key `key` (string for selectbox/radio/text, bool for toggles)."""
        widget = self.widgets.get(key)
        if widget is None:
            raise ProtocolError(f"pas de widget « {key} » sur la page ({sorted(self.widgets)})")
        self._sent_widgets[widget.id] = value
        return await self._rerun(page_hash=self.page_hash, fragment_id=widget.fragment_id)

    async def click(self, key: str) -> RunResult:
        widget = self.widgets.get(key)
        if widget is None:
            raise ProtocolError(f"pas de bouton « {key} » sur la page ({sorted(self.widgets)})")
        return await self._rerun(page_hash=self.page_hash, fragment_id=widget.fragment_id, trigger=widget.id)

    def options(self, key: str) -> list[str]:
        widget = self.widgets.get(key)
        return list(getattr(widget.proto, "options", [])) if widget else []


def _set_widget_value(state, widget_id: str, value) -> None:
    state.id = widget_id
    if isinstance(value, bool):
        state.bool_value = value
    elif isinstance(value, list):
        state.string_array_value.data.extend(value)
    else:
        state.string_value = str(value)


# ------------------------------------------------------------------------------------------ scenarios


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    upstreams: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, result: RunResult) -> None:
        self.times.setdefault(name, []).append(result.seconds)
        self.bytes += result.bytes
        self.errors += [f"{name}: {e}" for e in result.exceptions]

    def all_times(self) -> list[float]:
        return [t for ts in self.times.values() for t in ts]


async def _interaction(p: Participant, name: str, n: int, step: int) -> RunResult:
    if name == "carte":
        return await p.switch("carte") if p.pages else await p.open("carte")
    if name == "profil":
        return await p.switch("profil")
    if name == "territoire":
        return await p.set("recherche_territoire", TERRITORY_QUERIES[(n + step) % len(TERRITORY_QUERIES)])
    if name == "indicateur":
        options = p.options("indicateur")
        current = p._sent_widgets.get(p.widgets["indicateur"].id) if "indicateur" in p.widgets else None
        choices = [o for o in options if o != current] or options
        return await p.set("indicateur", choices[(n + step) % len(choices)])
    if name == "voisins":
        widget = p.widgets.get("voisins")
        was = p._sent_widgets.get(widget.id, False) if widget else False
        return await p.set("voisins", not was)
    raise ValueError(name)


async def _participant_loop(
    base_url: str, n: int, tally: Tally, *, until: float, think: tuple[float, float], timeout: float
) -> int:
    """Open the Carte, then one interaction of the tour every `think` seconds until `until`."""
    rng = random.Random(n)
    p = Participant(base_url, timeout=timeout)
    done = 0
    try:
        await asyncio.sleep(rng.uniform(0, think[1]))  # participants do not arrive in lockstep
        await p.connect("/carte")
        tally.add("ouvrir_carte", await p.open("carte"))
        done += 1
        step = 0
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until:
                break
            name = TOUR[step % len(TOUR)]
            if name in ("indicateur", "voisins") and name not in p.widgets:
                name = "carte"  # the previous step left the Carte
            tally.add(name, await _interaction(p, name, n, step))
            done += 1
            step += 1
    except Exception as exc:  # measured, not fatal
        tally.errors.append(f"participant {n}: {type(exc).__name__}: {exc}"[:240])
    finally:
        for upstream in set(p.upstreams):
            tally.upstreams[upstream] = tally.upstreams.get(upstream, 0) + 1
        await p.close()
    return done


async def salle_async(
    base_url: str,
    participants: int,
    duration: float,
    think: tuple[float, float] = (8, 12),
    timeout: float = 120,
) -> tuple[Tally, float]:
    tally = Tally()
    start = time.monotonic()
    until = start + duration
    tasks = [
        asyncio.create_task(_participant_loop(base_url, n, tally, until=until, think=think, timeout=timeout))
        for n in range(participants)
    ]
    _, pending = await asyncio.wait(tasks, timeout=duration + timeout + think[1] + 30)
    for task in pending:
        task.cancel()
        tally.errors.append("participant arrêté : délai global dépassé")
    return tally, time.monotonic() - start


async def rush_async(base_url: str, participants: int, timeout: float = 120) -> tuple[Tally, float]:
    """Every participant has its page loaded and its WebSocket open, then all open the Carte at once."""
    tally = Tally()
    people = [Participant(base_url, timeout=timeout) for _ in range(participants)]
    try:
        await asyncio.gather(*(p.connect("/carte") for p in people))
        start = time.monotonic()

        async def one(p: Participant) -> None:
            try:
                tally.add("ouvrir_carte", await p.open("carte"))
            except Exception as exc:
                tally.errors.append(f"{type(exc).__name__}: {exc}"[:240])

        await asyncio.wait_for(asyncio.gather(*(one(p) for p in people)), timeout + 30)
        return tally, time.monotonic() - start
    finally:
        for p in people:
            for upstream in set(p.upstreams):
                tally.upstreams[upstream] = tally.upstreams.get(upstream, 0) + 1
        await asyncio.gather(*(p.close() for p in people))


def salle(base_url: str, participants: int, duration: float, **kw) -> tuple[Tally, float]:
    return asyncio.run(salle_async(base_url, participants, duration, **kw))


def rush(base_url: str, participants: int, **kw) -> tuple[Tally, float]:
    return asyncio.run(rush_async(base_url, participants, **kw))


async def warm_async(base_url: str, timeout: float = 300) -> None:
    """One participant's tour, so that the measured runs see warm caches (as after the first visitor)."""
    p = Participant(base_url, timeout=timeout)
    try:
        await p.connect("/carte")
        await p.open("carte")
        for step, name in enumerate(TOUR):
            await _interaction(p, name, 0, step)
    finally:
        await p.close()


# ------------------------------------------------------------------------------------------ servers


@dataclass
class Served:
    url: str
    pids: list[int]
    label: str
    direct: list[str] = field(default_factory=list)  # each instance's own address (to warm them all)


def rss_of(pids: list[int]) -> int:
    """Resident memory of these processes and their children, in bytes."""
    import psutil

    total = 0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc = psutil.Process(pid)
            for p in (proc, *proc.children(recursive=True)):
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += p.memory_info().rss
    return total


def cpu_of(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
    return total


@contextlib.contextmanager
def servers(instances: int, *, store: Path | None, root: Path = ROOT, proxy: bool = True) -> Iterator[Served]:
    """One direct `streamlit run` (instances == 0), or N instances behind nginx (`indicateurs servir`)."""
    env = {"INDICATEURS_DATA": str(store)} if store else {}
    if instances == 0 or not proxy:
        from bench.load_test import serve_app

        with serve_app(store, root=root) as server:
            yield Served(server.url, [server.process.pid], "streamlit seul", [server.url])
        return
    from indicateurs.cli.servir import cluster

    with cluster(instances, root=root, env=env) as c:
        direct = [c.instance_url(i) for i in range(instances)]
        yield Served(c.url, c.pids(), f"{instances} instance(s) derrière nginx", direct)


class MemorySampler:
    def __init__(self, pids: list[int], every: float = 0.5):
        self.pids, self.every, self.peak = pids, every, 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_of(self.pids))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every)

    def stop(self) -> None:
        self._stop.set()


def measure(served: Served, scenario: str, participants: int, duration: float, think, timeout) -> dict:
    async def go():
        sampler = MemorySampler(served.pids)
        task = asyncio.create_task(sampler.run())
        base_rss = rss_of(served.pids)
        cpu0 = cpu_of(served.pids)
        if scenario == "rush":
            tally, wall = await rush_async(served.url, participants, timeout=timeout)
        else:
            tally, wall = await salle_async(served.url, participants, duration, think=think, timeout=timeout)
        sampler.stop()
        await task
        return tally, wall, base_rss, sampler.peak, cpu_of(served.pids) - cpu0

    tally, wall, base_rss, peak, cpu = asyncio.run(go())
    times = tally.all_times()
    return {
        "scenario": scenario,
        "servers": served.label,
        "participants": participants,
        "wall_s": round(wall, 1),
        "interactions": len(times),
        "throughput_per_s": round(len(times) / wall, 2) if wall else 0,
        "p50_s": round(percentile(times, 0.5), 2),
        "p95_s": round(percentile(times, 0.95), 2),
        "max_s": round(max(times), 2) if times else float("nan"),
        "per_step": {
            k: (len(v), round(percentile(v, 0.5), 2), round(percentile(v, 0.95), 2))
            for k, v in tally.times.items()
        },
        "errors": tally.errors,
        "server_cpu_s": round(cpu, 1),
        "server_cpu_per_interaction_s": round(cpu / max(len(times), 1), 3),
        "rss_start_mb": round(base_rss / 2**20),
        "rss_peak_mb": round(peak / 2**20),
        "mb_received": round(tally.bytes / 2**20, 1),
        "upstreams": tally.upstreams,
    }


def print_result(r: dict, target: float | None = None) -> None:
    verdict = ""
    if target is not None:
        reached = "atteint" if r["p95_s"] <= target else "manqué"
        verdict = f"  (objectif p95 ≤ {target:.1f} s : {reached})"
    print(
        f"\n=== {r['scenario']} · {r['participants']} participants · {r['servers']} · {r['wall_s']} s{verdict}"
    )
    print(
        f"  interactions {r['interactions']}  débit {r['throughput_per_s']}/s  "
        f"p50 {r['p50_s']} s  p95 {r['p95_s']} s  max {r['max_s']} s  erreurs {len(r['errors'])}"
    )
    for name, (n, p50, p95) in r["per_step"].items():
        print(f"    {name:<14} n={n:<4} p50 {p50:>6} s  p95 {p95:>6} s")
    for e in r["errors"][:5]:
        print(f"    ! {e}")
    print(
        f"  CPU serveur {r['server_cpu_s']} s ({r['server_cpu_per_interaction_s']} s par interaction) ; "
        f"mémoire serveur (RSS de l'arbre de processus) {r['rss_start_mb']} → pic {r['rss_peak_mb']} Mo ; "
        f"reçu {r['mb_received']} Mo de messages (décompressés)"
    )
    if r["upstreams"]:
        print(f"  sessions par instance : {r['upstreams']}")


# ------------------------------------------------------------------------------------------ main


def _store(arg: Path | None) -> Path | None:
    store = arg or (Path(os.environ["INDICATEURS_DATA"]) if os.environ.get("INDICATEURS_DATA") else None)
    if store is not None and not (store / "base" / "report.json").exists():
        raise SystemExit(f"Base absente dans {store} : lancez d'abord « python -m indicateurs build ».")
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["salle", "rush", "debit", "octets"], nargs="?", default="salle")
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument(
        "--duree", type=float, default=60, help="durée de la salle / du débit (s) ; 180 pour l'issue"
    )
    parser.add_argument(
        "--pause", type=float, nargs=2, default=(8, 12), help="temps de réflexion min max (s)"
    )
    parser.add_argument(
        "--instances",
        type=int,
        nargs="+",
        default=[0],
        help="0 : streamlit seul ; N : N instances derrière nginx",
    )
    parser.add_argument("--url", help="serveur déjà lancé (sinon on en démarre un sur 127.0.0.1)")
    parser.add_argument(
        "--store", type=Path, help="magasin avec la base construite (défaut : INDICATEURS_DATA)"
    )
    parser.add_argument("--timeout", type=float, default=120, help="délai maximal d'une interaction (s)")
    parser.add_argument("--json", type=Path, help="écrire aussi les résultats dans ce fichier JSON")
    args = parser.parse_args(argv)
    if args.url and urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("seules les adresses locales (127.0.0.1) sont autorisées")
    if args.scenario == "octets":
        from bench.wire import main as wire_main

        return wire_main(store=_store(args.store))
    store = _store(args.store)
    think = (0.0, 0.0) if args.scenario == "debit" else tuple(args.pause)
    target = {"salle": 1.5, "rush": 5.0}.get(args.scenario)
    print("Machine partagée ? Les chiffres valent pour la charge du moment (voir `uptime`).")
    results = []
    targets = [None] if args.url else args.instances
    for n in targets:
        with contextlib.ExitStack() as stack:
            if args.url:
                served = Served(args.url, [], args.url)
            else:
                served = stack.enter_context(servers(n, store=store))
            for url in served.direct or [served.url]:
                asyncio.run(warm_async(url, timeout=max(args.timeout, 300)))
            r = measure(served, args.scenario, args.participants, args.duree, think, args.timeout)
            print_result(r, target)
            results.append(r)
    if len(results) > 1:
        print(
            "\nDébit par nombre d'instances : "
            + ", ".join(f"{r['servers']} → {r['throughput_per_s']}/s" for r in results)
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    raise SystemExit(main())
