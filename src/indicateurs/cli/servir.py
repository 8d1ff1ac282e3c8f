"""`python -m indicateurs servir --instances N`: N Streamlit processes behind nginx, for a room or a day.

Streamlit runs every session's script in one process (one core for Python), so a room of 30 waits on
one core. Here each instance is a `streamlit run serve.py` subprocess (app.py with its pages' first
view) on its own 127.0.0.1 port
(the package never imports Streamlit); nginx, with a configuration generated in a temporary folder,
keeps each browser on its instance (sticky cookie: the WebSocket session lives in one process),
upgrades the WebSocket, compresses the JavaScript that Streamlit sends uncompressed, and hides
`/_stcore/metrics`. The instances share the built base (read-only) and the workshop store
(`DATABASE_URL`, else the SQLite file of the data folder). Ctrl-C stops everything.

`deploy/nginx.conf` is the same site configuration for a Debian server (`--config` prints it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indicateurs import config

__all__ = [
    "Cluster",
    "add_servir_parser",
    "cluster",
    "nginx_config",
    "site_config",
    "streamlit_command",
]

COOKIE = "atlas_instance"
# Types worth compressing: Streamlit's bundles (JS, CSS, source maps), JSON (TopoJSON, manifests), SVG, text.
GZIP_TYPES = (
    "text/css text/plain text/javascript application/javascript application/json "
    "application/manifest+json image/svg+xml"
)


def site_config(listen: str, ports: list[int], *, host: str = "127.0.0.1") -> str:
    """The `http {}`-level part: sticky upstream, WebSocket upgrade, gzip, metrics hidden.

    Sticky sessions: `ip_hash` sends every client behind one address (loopback, a venue's NAT) to
    the same instance, so the key is a random value given on the first visit and kept in a cookie.
    """
    servers = "\n".join(f"    server {host}:{p} max_fails=1 fail_timeout=10s;" for p in ports)
    return f"""# Atlas de l'inclusion numérique : N instances Streamlit derrière nginx.
# Généré par `python -m indicateurs servir --config` (ne pas modifier à la main : relancer la commande).

map $http_upgrade $atlas_connection {{
    default upgrade;
    ''      close;
}}

# Session collante : une clé au hasard à la première visite, gardée dans un cookie. La session
# Streamlit (WebSocket) vit dans un seul processus ; ip_hash ne sépare pas des clients derrière une
# même adresse (127.0.0.1, NAT du Wi-Fi d'une salle).
map $cookie_{COOKIE} $atlas_route {{
    ''      $request_id;
    default $cookie_{COOKIE};
}}
map $cookie_{COOKIE} $atlas_set_cookie {{
    ''      "{COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
    default "";
}}

upstream atlas {{
    hash $atlas_route consistent;
{servers}
}}

server {{
    listen {listen};
    client_max_body_size 6m;

    # Streamlit envoie ses fichiers JavaScript sans compression : nginx les compresse.
    gzip on;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    gzip_types {GZIP_TYPES};

    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    # Une instance arrêtée : la requête part vers une autre (la session y est recréée).
    proxy_next_upstream error timeout http_502 http_503;

    # Les métriques internes de Streamlit ne sortent pas.
    location = /_stcore/metrics {{
        return 404;
    }}

    location = /_stcore/stream {{
        proxy_pass http://atlas;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $atlas_connection;
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_buffering off;
        add_header Set-Cookie $atlas_set_cookie always;
        add_header X-Upstream $upstream_addr always;
    }}

    location / {{
        proxy_pass http://atlas;
        proxy_read_timeout 300s;
        proxy_max_temp_file_size 0;
        add_header Set-Cookie $atlas_set_cookie always;
        add_header X-Upstream $upstream_addr always;
    }}
}}
"""


def nginx_config(listen: str, ports: list[int], workdir: Path) -> str:
    """A whole nginx.conf for a foreground nginx whose files all live in `workdir` (no root needed)."""
    mime = "    include /etc/nginx/mime.types;\n" if Path("/etc/nginx/mime.types").exists() else ""
    temp = "".join(
        f"    {name}_temp_path {workdir / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    site = "\n".join(f"    {line}" if line else "" for line in site_config(listen, ports).splitlines())
    return f"""daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
{mime}    default_type application/octet-stream;
    access_log {workdir / "access.log"};
{temp}
{site}
}}
"""


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def streamlit_command(port: int, *, script: str = "serve.py", address: str = "127.0.0.1") -> list[str]:
    """The `streamlit run` command line of one served instance (run it from the repository folder).

    One home for the flags, shared by `servir`, the benchmarks and the browser tests: headless, no
    file watcher nor rerun on save (a served app does not change under it), no usage statistics
    sent out, production mode. The package builds the command; it never imports Streamlit.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        f"--server.address={address}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
    ]


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    """Running instances and their nginx; `url` is the proxy's address."""

    url: str
    instances: list[Instance]
    nginx: subprocess.Popen | None
    workdir: Path
    env: dict[str, str]
    root: Path
    _extra: list[subprocess.Popen] = field(default_factory=list)

    def pids(self) -> list[int]:
        """Server processes (instances and nginx), for memory and CPU figures."""
        procs = [i.process for i in self.instances] + ([self.nginx] if self.nginx else [])
        return [p.pid for p in procs if p.poll() is None]

    def instance_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.instances[i].port}"

    def kill_instance(self, i: int) -> None:
        """Stop instance `i` at once (SIGKILL), as a crash would."""
        _stop(self.instances[i].process, sig=signal.SIGKILL)

    def restart_instance(self, i: int, start_timeout: float = 120) -> None:
        old = self.instances[i]
        _stop(old.process)
        self.instances[i] = _start_instance(self.root, old.port, self.env, self.workdir, start_timeout)


def _start_instance(root: Path, port: int, env: dict[str, str], workdir: Path, timeout: float) -> Instance:
    log = workdir / f"streamlit-{port}.log"
    cmd = streamlit_command(port)
    with log.open("ab") as out:
        process = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    try:
        while not _healthy(f"http://127.0.0.1:{port}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-1500:]
                raise RuntimeError(f"l'instance du port {port} n'a pas démarré ({log}) :\n{tail}")
            time.sleep(0.3)
    except BaseException:  # failed, or Ctrl-C while starting: never leave it running
        _stop(process)
        raise
    return Instance(port, process, log)


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process we started (its own process group), politely unless told otherwise."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def cluster(
    instances: int = 2,
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    first_port: int | None = None,
    root: Path | None = None,
    env: dict[str, str] | None = None,
    nginx: str = "nginx",
    start_timeout: float = 180,
) -> Iterator[Cluster]:
    """Start `instances` Streamlit processes and nginx in front; stop them all when the block ends."""
    root = (root or Path.cwd()).resolve()
    if not (root / "app.py").exists():
        raise RuntimeError(f"app.py introuvable dans {root} : lancez la commande depuis le dossier du dépôt.")
    nginx_bin = shutil.which(nginx)
    if nginx_bin is None:
        raise RuntimeError("nginx est introuvable : installez-le (Debian : apt-get install nginx).")
    if instances < 1:
        raise ValueError("il faut au moins une instance")
    workdir = Path(tempfile.mkdtemp(prefix="atlas-servir-"))
    os.chmod(workdir, 0o755)  # nginx workers (user nobody when started as root) read and write here
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / name).mkdir()
        os.chmod(workdir / name, 0o1777)
    inherited = config.child_environment()
    full_env = {
        **inherited,
        "PYTHONPATH": os.pathsep.join(
            [str(root / "src"), str(root), *filter(None, [inherited.get("PYTHONPATH")])]
        ),
        # One secret for all instances: cookies signed by one are valid on another after a failover.
        "STREAMLIT_SERVER_COOKIE_SECRET": inherited.get("STREAMLIT_SERVER_COOKIE_SECRET")
        or secrets.token_hex(32),
        **(env or {}),
    }
    ports = (
        [first_port + i for i in range(instances)] if first_port else [_free_port() for _ in range(instances)]
    )
    port = port or _free_port(host if host != "0.0.0.0" else "127.0.0.1")
    started: list[Instance] = []
    proxy: subprocess.Popen | None = None
    result = Cluster(f"http://127.0.0.1:{port}", started, None, workdir, full_env, root)
    try:
        for p in ports:  # one after the other: two cold imports at once on 2 cores gain nothing
            started.append(_start_instance(root, p, full_env, workdir, start_timeout))
        conf = workdir / "nginx.conf"
        conf.write_text(nginx_config(f"{host}:{port}", ports, workdir), encoding="utf-8")
        proxy = subprocess.Popen(
            [nginx_bin, "-c", str(conf), "-p", str(workdir)],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "nginx.out").open("ab"),
            start_new_session=True,
        )
        result.nginx = proxy
        deadline = time.monotonic() + 30
        while not _healthy(f"{result.url}/_stcore/health"):
            if proxy.poll() is not None or time.monotonic() > deadline:
                errors = "".join(
                    (workdir / f).read_text(errors="replace")[-1500:]
                    for f in ("nginx.out", "error.log")
                    if (workdir / f).exists()
                )
                raise RuntimeError(f"nginx n'a pas démarré ({conf}) :\n{errors}")
            time.sleep(0.2)
        yield result
    finally:
        if result.nginx is not None:
            _stop(result.nginx, sig=signal.SIGQUIT)  # graceful: finish the answers in flight
        for instance in result.instances:
            _stop(instance.process)
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------ command


def _servir(args: argparse.Namespace) -> int:
    if args.config:
        ports = [args.premier_port + i for i in range(args.instances)]
        print(site_config(f"{args.port}", ports), end="")
        return 0

    def _on_signal(signum, _frame) -> None:
        raise KeyboardInterrupt  # the cluster block then stops nginx and every instance

    # Explicit, so that Ctrl-C also works when the shell started us with SIGINT ignored (`… &`).
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(f"Démarrage de {args.instances} instance(s) Streamlit et de nginx…", flush=True)
    try:
        with cluster(
            args.instances,
            port=args.port,
            host=args.adresse,
            first_port=args.premier_port,
        ) as c:
            shown = (
                c.url
                if args.adresse in ("127.0.0.1", "localhost")
                else f"http://<adresse de ce poste>:{args.port}"
            )
            print(f"Atlas servi sur {shown} ({args.instances} instance(s)). Ctrl-C pour arrêter.", flush=True)
            print(f"Journaux : {c.workdir}", flush=True)
            while True:
                time.sleep(2)
                for i, instance in enumerate(c.instances):
                    if instance.process.poll() is not None:  # a crashed instance comes back
                        print(f"Instance du port {instance.port} arrêtée : redémarrage.", flush=True)
                        c.restart_instance(i)
                if c.nginx is not None and c.nginx.poll() is not None:
                    print("nginx s'est arrêté : voir les journaux.", file=sys.stderr)
                    return 1
    except KeyboardInterrupt:
        pass
    print("Arrêté.")
    return 0


def add_servir_parser(sub) -> None:
    s = sub.add_parser(
        "servir",
        help="servir l'atlas avec N instances Streamlit derrière nginx (sessions collantes, gzip)",
        description=__doc__.split("\n\n")[0],
    )
    s.add_argument("--instances", type=int, default=2, help="nombre de processus Streamlit (défaut : 2)")
    s.add_argument("--port", type=int, default=8501, help="port public de nginx (défaut : 8501)")
    s.add_argument(
        "--adresse",
        default="127.0.0.1",
        help="adresse d'écoute de nginx ; 0.0.0.0 pour les téléphones de la salle (défaut : 127.0.0.1)",
    )
    s.add_argument(
        "--premier-port", type=int, default=8511, help="port de la première instance, les suivantes +1, +2…"
    )
    s.add_argument(
        "--config", action="store_true", help="afficher la configuration nginx (deploy/nginx.conf)"
    )
    s.set_defaults(func=_servir)
