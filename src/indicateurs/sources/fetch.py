"""Fetch source files into the local store: the store itself, else the mirror folder, else the web.

Every file is validated BEFORE it replaces anything (HTML error page, truncated gzip, invalid
JSON, empty file, missing columns), written to a temporary file next to its target and moved
into place with `os.replace`, so a failed fetch never damages a good file. The store keeps a
small manifest (`raw/manifest.json`: size, sha256, date, origin, URL) to skip work next time.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import json
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from indicateurs.config import millesimes, mirror_dir, raw_dir
from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import Source, get_source, list_sources, load_catalogue
from indicateurs.sources import derive, resolve

__all__ = ["USER_AGENT", "FetchError", "Progress", "fetch", "fetch_all", "file_sha256", "store_manifest"]

Progress = Callable[[int, int | None], None]
"""`progress(bytes_done, bytes_total_or_None)`, called as a file arrives."""

USER_AGENT = "indicateurs/0.1 (+atlas inclusion numérique)"
TIMEOUT = (10, 60)  # seconds: connect, read (between two packets)
RETRIES = 4  # on connection errors and HTTP 429/5xx
BACKOFF = 0.5  # seconds; urllib3 doubles it at each retry
_RETRY_STATUS = (429, 500, 502, 503, 504)
_CHUNK = 1 << 16
_MANIFEST = "manifest.json"
_ORIGIN_STORE, _ORIGIN_MIRROR, _ORIGIN_WEB = "magasin", "miroir", "téléchargement"
_log = logging.getLogger(__name__)


class FetchError(AtlasError, RuntimeError):
    """A source could not be fetched or its content was rejected. The message is French and names
    the source id, its title, the URL and the problem."""

    def __init__(self, message: str, *, source_id: str | None = None, url: str | None = None):
        super().__init__(message)
        self.source_id = source_id
        self.url = url


class _Rejected(AtlasError, ValueError):
    """Internal: why one attempt failed (becomes part of a FetchError)."""


# --------------------------------------------------------------------------- public API


def fetch(
    source_id: str,
    *,
    progress: Progress | None = None,
    force: bool = False,
    origin: Callable[[str], None] | None = None,
) -> Path:
    """The validated file of `source_id` in the local store, fetched if needed.

    Order: the store (if its sha256 matches the manifest; skipped with `force`), then a copy from
    `INDICATEURS_MIROIR`, then a download of the public URL followed by the source's transform.
    `origin` is told which one is being tried ("magasin", "miroir", "téléchargement"), so that a
    progress message says what really happens (a copy from the mirror is not a download).
    """
    source = get_source(source_id)
    target = raw_dir() / source.file
    try:
        return _fetch(source, target, progress, force, origin or (lambda kind: None))
    except OSError as exc:  # the store itself: full disk, read-only folder…
        raise FetchError(
            f"Source « {source.id} » ({source.title}) : écriture impossible dans le magasin {target.parent} "
            f"({exc.strerror or exc} ; disque plein ou dossier en lecture seule ?). "
            "Le fichier déjà présent, s'il y en a un, est conservé.",
            source_id=source.id,
            url=source.url,
        ) from exc


def _fetch(
    source: Source, target: Path, progress: Progress | None, force: bool, origin: Callable[[str], None]
) -> Path:
    if not force and _in_store(source, target):  # read-only when up to date
        _log.info("%s : %s (déjà présent et valide)", source.id, _ORIGIN_STORE)
        origin(_ORIGIN_STORE)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(target)

    problems: list[str] = []
    mirror = mirror_dir()
    if source.mirror_path:
        origin_file = mirror / source.mirror_path if mirror is not None else None
        if origin_file is not None and origin_file.is_file():
            origin(_ORIGIN_MIRROR)
            try:
                return _install(source, target, lambda tmp: _copy(origin_file, tmp, progress), _ORIGIN_MIRROR)
            except _Rejected as exc:
                problems.append(f"la copie du miroir {origin_file} est refusée : {exc}")
        elif origin_file is not None:
            problems.append(f"fichier absent du miroir ({origin_file})")

    if len(source.urls) != 1:
        problems.append(
            "la source est publiée en plusieurs fichiers : elle doit venir du miroir (INDICATEURS_MIROIR)"
        )
    else:
        origin(_ORIGIN_WEB)
        with _session() as session:
            path = _download_newest(source, target, progress, session, problems)
            if path is not None:
                return path
            pinned = _pinned(source)
            if pinned is not None:  # current release unavailable: the pinned snapshot, said so
                path = _fallback_to_pinned(pinned, target, progress, session, problems)
                if path is not None:
                    return path
    if mirror is None:
        problems.append("aucun miroir local (définissez INDICATEURS_MIROIR pour travailler hors connexion)")
    kept = " Le fichier déjà présent dans le magasin est conservé." if target.exists() else ""
    raise FetchError(
        f"Source « {source.id} » ({source.title}), {source.url} : {' ; '.join(problems)}.{kept}",
        source_id=source.id,
        url=source.url,
    )


def _download_newest(
    source: Source, target: Path, progress: Progress | None, session: requests.Session, problems: list[str]
) -> Path | None:
    """Download the newest release the producer announces, else the next older one."""
    try:
        found = resolve.candidates(source, session)
    except resolve.ResolveError as exc:
        problems.append(str(exc))
        return None
    stored = store_manifest().get(source.id) or {}
    for candidate in found:
        versioned = source.resolve not in ("", "fige")  # the URL names the release
        if versioned and candidate.url == stored.get("url") and _in_store(source, target):
            _log.info("%s : %s déjà dans le magasin (%s)", source.id, candidate.vintage, candidate.url)
            return target
        try:
            return _install(
                source,
                target,
                lambda tmp, url=candidate.url: _download(url, tmp, progress, session),
                _ORIGIN_WEB,
                url=candidate.url,
                vintage=candidate.vintage,
            )
        except (_Rejected, derive.DeriveError) as exc:
            problems.append(f"{candidate.url} : {exc}" if len(found) > 1 else str(exc))
    return None


def _pinned(source: Source) -> Source | None:
    """In the current catalogue, the pinned entry of the same source (None in the pinned catalogue)."""
    if millesimes() == "figes":
        return None
    pinned = load_catalogue("figes").get(source.id)
    return pinned if pinned is not None and pinned.url != source.url else None


def _fallback_to_pinned(
    pinned: Source, target: Path, progress: Progress | None, session: requests.Session, problems: list[str]
) -> Path | None:
    mirror = mirror_dir()
    origin_file = mirror / pinned.mirror_path if mirror is not None and pinned.mirror_path else None
    fills = []
    if origin_file is not None and origin_file.is_file():
        fills.append((lambda tmp: _copy(origin_file, tmp, progress), _ORIGIN_MIRROR, pinned.url))
    if len(pinned.urls) == 1:
        fills.append((lambda tmp: _download(pinned.url, tmp, progress, session), _ORIGIN_WEB, pinned.url))
    for fill, origin, url in fills:
        try:
            path = _install(pinned, target, fill, origin, url=url, vintage=pinned.millesime, fallback=True)
        except (_Rejected, derive.DeriveError) as exc:
            problems.append(f"repli sur le millésime figé impossible ({exc})")
            continue
        _log.warning("%s : version courante indisponible, repli sur le millésime figé", pinned.id)
        return path
    return None


def fetch_all(progress: Progress | None = None) -> dict[str, Path]:
    """Fetch every catalogue source; one failure does not stop the others (all are reported)."""
    paths: dict[str, Path] = {}
    errors: list[str] = []
    sources = list_sources()
    for source in sources:
        try:
            paths[source.id] = fetch(source.id, progress=progress)
        except FetchError as exc:
            errors.append(str(exc))
    if errors:
        raise FetchError(
            f"{len(errors)} source(s) sur {len(sources)} non récupérée(s) :\n- " + "\n- ".join(errors)
        )
    return paths


def store_manifest() -> dict[str, dict]:
    """The store manifest: per source id, file, size, sha256, fetched_at (ISO), origin, url."""
    path = raw_dir() / _MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        _log.warning("Manifeste du magasin illisible (%s) : il sera reconstruit", path)
        return {}


# --------------------------------------------------------------------------- store and manifest


def _in_store(source: Source, target: Path) -> bool:
    """True if `target` is the file the manifest recorded (size, then sha256), or a valid file
    found without a manifest entry (then adopted with origin "magasin")."""
    if not target.is_file():
        return False
    entry = store_manifest().get(source.id)
    if entry is not None:
        same_size = entry.get("file") == source.file and entry.get("size") == target.stat().st_size
        if same_size and entry.get("sha256") == file_sha256(target):  # size first: hashing is the cost
            return True
        _log.warning(
            "%s : le fichier du magasin a changé depuis sa récupération, il est récupéré à nouveau", source.id
        )
        return False
    try:
        _validate(source, target)
    except _Rejected as exc:
        _log.warning("%s : fichier du magasin refusé (%s), il est récupéré à nouveau", source.id, exc)
        return False
    _record(source.id, _entry(source, target, _ORIGIN_STORE))
    return True


def _entry(
    source: Source,
    path: Path,
    origin: str,
    *,
    file: str | None = None,
    url: str | None = None,
    vintage: str = "",
    fallback: bool = False,
) -> dict:
    entry = {
        "file": file or source.file,
        "size": path.stat().st_size,
        "sha256": file_sha256(path),
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "origin": origin,
        "url": url or source.url,
        "catalogue": millesimes(),
        "millesime": vintage or source.millesime,
    }
    if fallback:
        entry["repli"] = "millésime figé (version courante indisponible)"
    return entry


def _record(source_id: str, entry: dict) -> None:
    manifest = store_manifest()
    manifest[source_id] = entry
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    with _scratch(raw_dir() / _MANIFEST) as scratch:
        tmp = scratch()
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, raw_dir() / _MANIFEST)


def file_sha256(path: Path) -> str:
    """sha256 of a file, read by 1 MiB chunks (the manifest and the build fingerprint)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _scratch(target: Path) -> Iterator[Callable[[], Path]]:
    """Temporary files next to `target` (same file system, so `os.replace` is atomic), all
    removed on exit unless they were moved into place."""
    made: list[Path] = []

    def new() -> Path:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(fd)
        os.chmod(name, 0o644)  # mkstemp makes 0600 files; the store is read by the app, maybe as another user
        made.append(Path(name))
        return made[-1]

    try:
        yield new
    finally:
        for path in made:
            path.unlink(missing_ok=True)


def _remove_stale_parts(target: Path, max_age: float = 3600) -> None:
    """Temporary files left by a process killed mid-download (recent ones may be in use)."""
    now = time.time()
    for part in target.parent.glob(f".{target.name}.*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > max_age:
                part.unlink()


def _install(
    source: Source,
    target: Path,
    fill: Callable[[Path], None],
    origin: str,
    *,
    url: str | None = None,
    vintage: str = "",
    fallback: bool = False,
) -> Path:
    """Fill a temporary file, transform it (downloads only), validate it, then move it into place."""
    with _scratch(target) as scratch:
        final = scratch()
        fill(final)
        if origin == _ORIGIN_WEB:
            _reject_html(final)
            derived = scratch()
            if derive.apply(source, final, derived):
                final = derived
        _validate(source, final)
        entry = _entry(source, final, origin, file=target.name, url=url, vintage=vintage, fallback=fallback)
        os.replace(final, target)
    _record(source.id, entry)
    _log.info("%s : %s (%d octets)", source.id, origin, entry["size"])
    return target


# --------------------------------------------------------------------------- origins


def _copy(src: Path, dest: Path, progress: Progress | None) -> None:
    total, done = src.stat().st_size, 0
    with src.open("rb") as fin, dest.open("wb") as fout:
        for chunk in iter(lambda: fin.read(_CHUNK), b""):
            fout.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)


class _Retry(Retry):
    """urllib3 Retry that never waits more than a minute for a server's `Retry-After`."""

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, 60.0)


def _session(retries: int = RETRIES) -> requests.Session:
    """A session that retries connection errors and HTTP 429/5xx with exponential backoff
    (a report such as `sources --fraicheur` asks once: offline it must not wait for backoffs)."""
    retry = _Retry(
        total=retries,
        backoff_factor=BACKOFF,
        status_forcelist=_RETRY_STATUS,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = requests.Session()
    # identity: the byte counts match Content-Length, so a truncated body is detected
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _download(
    url: str, dest: Path, progress: Progress | None, session: requests.Session | None = None
) -> None:
    """Stream `url` into `dest`, calling `progress`; reject HTTP errors, HTML and short bodies."""
    try:
        with contextlib.ExitStack() as stack:
            session = session or stack.enter_context(_session())
            response = stack.enter_context(session.get(url, stream=True, timeout=TIMEOUT))
            if response.status_code >= 400:
                again = (
                    f" après {RETRIES} nouvelles tentatives" if response.status_code in _RETRY_STATUS else ""
                )
                raise _Rejected(f"le serveur a répondu HTTP {response.status_code} {response.reason}{again}")
            if "html" in response.headers.get("Content-Type", "").lower():
                raise _Rejected(
                    "le serveur a renvoyé une page HTML (Content-Type text/html) au lieu des données"
                )
            length = response.headers.get("Content-Length", "")
            # a server-side Content-Encoding makes Content-Length count compressed bytes: no total then
            encoded = response.headers.get("Content-Encoding", "identity") not in ("", "identity")
            total = int(length) if length.isdigit() and not encoded else None
            done = 0
            with dest.open("wb") as f:
                for chunk in response.iter_content(_CHUNK):
                    f.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
    except requests.RequestException as exc:
        _log.debug("Téléchargement de %s : %r", url, exc)
        raise _Rejected(_network_problem(exc)) from exc
    if total is not None and done != total:
        raise _Rejected(f"téléchargement incomplet : {done} octets reçus sur {total} annoncés")


def _network_problem(exc: requests.RequestException) -> str:
    """A French sentence for a network failure (the technical name in brackets)."""
    if isinstance(exc, requests.Timeout):
        problem = "le serveur ne répond pas (délai dépassé)"
    elif isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        problem = "connexion interrompue pendant le téléchargement"
    elif isinstance(exc, requests.ConnectionError):
        problem = "connexion impossible (pas d'accès à internet, ou serveur injoignable)"
    else:
        problem = "erreur réseau"
    return f"{problem} [{type(exc).__name__}]"


# --------------------------------------------------------------------------- validation


def _reject_html(path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        head.startswith(b"<") and b"<html" in head
    ):
        raise _Rejected("le serveur a renvoyé une page HTML (page d'erreur ?) au lieu des données")


def _validate(source: Source, path: Path) -> None:
    """Reject an empty, HTML, truncated or malformed file, or one missing a required column."""
    if path.stat().st_size == 0:
        raise _Rejected("le fichier est vide")
    _reject_html(path)
    kind = source.format.removesuffix(".gz")
    opener = gzip.open if source.format.endswith(".gz") else open
    if source.format.endswith(".gz"):
        _check_gzip(path)
    try:
        if kind == "csv":
            found = _csv_header(source, path, opener)
        elif kind in ("json", "geojson"):
            found = _json_keys(path, opener, geo=kind == "geojson")
        elif kind == "zip":
            _check_zip(path)
            return
        else:
            return
    except UnicodeDecodeError as exc:
        raise _Rejected(f"le fichier n'est pas du texte UTF-8 ({exc})") from exc
    missing = [c for c in source.columns if c not in found]
    if missing:
        what = "propriété(s)" if kind == "geojson" else "colonne(s)"
        hint = ""
        if source.relation.startswith("équivalent"):
            hint = (
                " ; ce fichier public n'est qu'équivalent au fichier du miroir (autre producteur) : "
                "vérifiez que le producteur publie toujours ces propriétés sous ces noms"
            )
        raise _Rejected(f"{what} obligatoire(s) absente(s) : {', '.join(missing)}{hint}")


def _check_zip(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _Rejected(f"archive zip tronquée ou corrompue ({exc})") from exc
    if bad is not None:
        raise _Rejected(f"archive zip corrompue (fichier {bad})")


def _check_gzip(path: Path) -> None:
    try:
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise _Rejected(f"archive gzip tronquée ou corrompue ({exc})") from exc


def _csv_header(source: Source, path: Path, opener: Callable) -> list[str]:
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=source.sep)
        header = next(reader, None)
        first_row = next(reader, None)
    if not header:
        raise _Rejected("fichier CSV sans en-tête")
    if first_row is None:
        raise _Rejected("fichier CSV sans aucune ligne de données")
    if source.columns and len(header) == 1 and source.sep not in header[0]:
        raise _Rejected(f"séparateur « {source.sep} » introuvable dans l'en-tête ({header[0][:80]!r})")
    return header


def _json_keys(path: Path, opener: Callable, *, geo: bool) -> set[str]:
    """Parse the whole file (detects truncation); return the keys of the first record/feature."""
    try:
        with opener(path, "rb") as f:
            data = json.load(f)
    except (ValueError, EOFError, OSError) as exc:
        raise _Rejected(f"JSON invalide ({exc})") from exc
    if geo:
        features = data.get("features") if isinstance(data, dict) else None
        if not features or data.get("type") != "FeatureCollection":
            raise _Rejected("GeoJSON invalide : pas de FeatureCollection avec des entités")
        return set(features[0].get("properties") or {})
    if not data:
        raise _Rejected("le JSON ne contient aucun enregistrement")
    first = data[0] if isinstance(data, list) else data
    return set(first) if isinstance(first, dict) else set()
