"""Find a producer's newest release: the candidate download URLs of a current-catalogue source,
newest first, each with the vintage it stands for.

Why a list and not one URL: producers publish a new file before it is complete, rename it, or
withdraw it; `fetch` tries the candidates in order, so a 404 on the newest falls back to the one
before. The strategies (`Source.resolve`):

- "fige": no producer endpoint is known, the pinned URL is used as is;
- "" : the URL itself serves the newest release (INSEE's stable file URL, ARCEP's ".../last/...");
  the vintage is read from the file by its loader;
- "npm": `url` is the npm registry entry of a package (decoupage-administratif); the `latest`
  dist-tag then the previous versions, `url_pattern` with {version};
- "annee": `url_pattern` with {annee}, from this year back (Etalab contours of the year);
- "cartiflette": the year's IGN ADMIN EXPRESS COG CARTO layer `layer` (COMMUNE, DEPARTEMENT, REGION)
  as cartiflette publishes it (one consolidated GeoParquet per year on a public S3 bucket read over
  HTTPS); `cartiflette` itself builds the file's path, `url` is the bucket's endpoint. From this year
  back; when `url_pattern` (Etalab contours {annee}) is set, its file of the same year comes next,
  so either producer's newest year is taken. Our fetch downloads the file (not `carti_download`,
  which reads through DuckDB's httpfs and spatial extensions, themselves downloaded at run time);
- "datagouv": `url` is the data.gouv.fr API `/api/1/datasets/<id or slug>/`; its resources of
  `resource_format` whose title matches `resource_title`, most recently modified first (the API
  does not list them in date order);
- "pynsee": INSEE's file catalogue as `pynsee.download.get_file_list()` knows it (pynsee, MIT, INSEE's
  own client); the files whose URL matches `pynsee_link` (a year in its first group), newest year
  first, then `url` (the last release known when the catalogue entry was written). pynsee only finds
  the URL: the download itself stays ours (store, mirror, validation, atomic write, manifest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

import requests

from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import Source

__all__ = ["Candidate", "ResolveError", "candidates", "first_published", "npm_vintage"]

_KEEP = 4  # candidates tried at most: the newest and a few older ones
TIMEOUT = (10, 30)


class ResolveError(AtlasError, RuntimeError):
    """The producer's catalogue could not be read (network, HTTP error, unexpected JSON)."""


@dataclass(frozen=True)
class Candidate:
    url: str
    vintage: str  # what this file is, in French ("version 6.0.0", "2026", "ressource du 2026-10-01 : …")
    published: str = ""  # ISO date the producer gives for it, if any


def candidates(source: Source, session: requests.Session, *, now: datetime | None = None) -> list[Candidate]:
    """Newest first; raises ResolveError when the producer's catalogue cannot be read."""
    kind = source.resolve
    if kind in ("", "fige"):
        return [Candidate(source.url, "")]
    if kind == "annee":
        year = (now or datetime.now(UTC)).year
        return [Candidate(source.url_pattern.format(annee=y), str(y)) for y in range(year, year - _KEEP, -1)]
    if kind == "cartiflette":
        return _cartiflette(source, (now or datetime.now(UTC)).year)
    if kind == "npm":
        return _npm(source, _json(session, source.url))
    if kind == "datagouv":
        return _datagouv(source, _json(session, source.url))
    if kind == "pynsee":
        return _pynsee(source, session)
    raise ResolveError(f"stratégie de résolution inconnue dans le catalogue : {kind!r}")


# Simplification of the cartiflette files (share of the points removed): 50 is published for every
# year from 2023 (pipeline 0.3.0), 80 only from pipeline 0.4.0; the build simplifies again for the web.
CARTIFLETTE_SIMPLIFICATION = 50


def cartiflette_url(
    endpoint: str, layer: str, year: int, simplification: int = CARTIFLETTE_SIMPLIFICATION
) -> str:
    """URL of cartiflette's consolidated GeoParquet of `layer` for `year` (France entière, true
    positions of the DROM, EPSG:4326), the path built by cartiflette itself."""
    from cartiflette.utils import create_path_consolidated  # imports duckdb: only when resolving

    path = create_path_consolidated(
        provider="IGN",
        dataset_family="ADMINEXPRESS",
        source="EXPRESS-COG-CARTO-TERRITOIRE",
        year=year,
        borders=layer,
        crs=4326,
        layout="FRANCE_ENTIERE",
        simplification=simplification,
    )
    return f"{endpoint.rstrip('/')}/{path}"


def _cartiflette(source: Source, year: int) -> list[Candidate]:
    try:
        from importlib.metadata import version

        label = f"cartiflette {version('cartiflette')}"
        urls = {
            y: cartiflette_url(source.url, source.layer or "COMMUNE", y)
            for y in range(year, year - _KEEP, -1)
        }
    except ImportError:  # not installed: the Etalab contours alone
        label, urls = "", {}
    out = []
    for y in range(year, year - _KEEP, -1):
        if y in urls:
            out.append(Candidate(urls[y], f"COG {y} (IGN ADMIN EXPRESS COG CARTO, {label})"))
        if source.url_pattern:
            out.append(Candidate(source.url_pattern.format(annee=y), str(y)))
    if not out:
        raise ResolveError("cartiflette n'est pas installé et aucune autre adresse n'est connue")
    return out


def _json(session: requests.Session, url: str):
    try:
        response = session.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ResolveError(f"catalogue du producteur injoignable ({url}) [{type(exc).__name__}]") from exc
    if response.status_code >= 400:
        raise ResolveError(f"catalogue du producteur : HTTP {response.status_code} sur {url}")
    try:
        return response.json()
    except ValueError as exc:
        raise ResolveError(f"catalogue du producteur : réponse qui n'est pas du JSON ({url})") from exc


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.+-]", version))


def _npm(source: Source, data) -> list[Candidate]:
    if not isinstance(data, dict) or "dist-tags" not in data:
        raise ResolveError("registre npm : réponse sans « dist-tags »")
    latest = data["dist-tags"].get("latest")
    versions = [v for v in data.get("versions", {}) if re.fullmatch(r"\d+\.\d+\.\d+", v)]
    ordered = sorted(versions, key=_version_key, reverse=True)
    if latest:
        ordered = [latest] + [v for v in ordered if _version_key(v) < _version_key(latest)]
    times = data.get("time", {}) if isinstance(data.get("time"), dict) else {}
    return [
        Candidate(
            source.url_pattern.format(version=v),
            npm_vintage(v, str(times.get(v, ""))[:10]),
            str(times.get(v, ""))[:10],
        )
        for v in ordered[:_KEEP]
    ]


def npm_vintage(version: str, published: str) -> str:
    """The French vintage of a decoupage-administratif version, never its package version alone.

    Its files carry no year (communes.json: code, nom, population… no millésime field), so the year
    comes from the registry's publish date of the version (`time` of the npm document): a version
    published in year Y holds the COG of year Y and the populations légales in force on 1 January Y,
    those of the census of Y - 3 (INSEE publishes them at the end of December of Y - 1). Catalogue
    notes of cog_communes_2025 say the same.

    >>> npm_vintage("7.0.0", "2026-03-15")
    'COG 2026, populations légales 2023 (en vigueur au 1er janvier 2026 ; decoupage-administratif 7.0.0 du 2026-03-15)'
    >>> npm_vintage("7.0.0", "")
    'decoupage-administratif 7.0.0 (date de publication inconnue : année du COG non lue)'
    """
    if re.fullmatch(r"\d{4}-\d\d-\d\d", published):
        year = int(published[:4])
        return (
            f"COG {year}, populations légales {year - 3} (en vigueur au 1er janvier {year} ; "
            f"decoupage-administratif {version} du {published})"
        )
    return f"decoupage-administratif {version} (date de publication inconnue : année du COG non lue)"


def _datagouv(source: Source, data) -> list[Candidate]:
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        raise ResolveError("data.gouv.fr : réponse sans liste « resources »")
    wanted = re.compile(source.resource_title or ".*", re.IGNORECASE)
    fmt = source.resource_format.lower()
    kept = [
        r
        for r in resources
        if isinstance(r, dict)
        and r.get("url")
        and (not fmt or str(r.get("format") or "").lower() == fmt)
        and wanted.search(str(r.get("title") or ""))
    ]
    if not kept:
        raise ResolveError(
            f"data.gouv.fr : aucune ressource au format « {fmt or 'quelconque'} » dont le titre "
            f"corresponde à « {source.resource_title or '.*'} »"
        )

    def date(r: dict) -> str:
        return str(r.get("last_modified") or r.get("created_at") or "")

    kept.sort(key=date, reverse=True)
    return [
        Candidate(r["url"], f"ressource du {date(r)[:10]} : {r.get('title', '')}".strip(), date(r)[:10])
        for r in kept[:_KEEP]
    ]


PROBE_TIMEOUT = (5, 10)  # connect, read: the producer's site answering at all
PYNSEE_TIMEOUT = 60.0  # seconds: pynsee retries 7 times with backoff (about 2 min) when offline
PYNSEE_MEMO_SECONDS = 600.0  # one reading (or one failure) serves the three census bases of a build
_PYNSEE_MEMO: dict = {}


def _pynsee_file_list():
    """pynsee's INSEE file catalogue (a DataFrame: id, name, label, link, date_ref…), read at most
    once per `PYNSEE_MEMO_SECONDS` (a failure too: offline, one wait per build, not one per base)."""
    import time

    now = time.monotonic()
    if _PYNSEE_MEMO and now - _PYNSEE_MEMO["at"] < PYNSEE_MEMO_SECONDS:
        if "error" in _PYNSEE_MEMO:
            raise _PYNSEE_MEMO["error"]
        return _PYNSEE_MEMO["files"]
    _PYNSEE_MEMO.clear()
    try:
        files = _read_pynsee_file_list()
    except ResolveError as exc:
        _PYNSEE_MEMO.update(at=now, error=exc)
        raise
    _PYNSEE_MEMO.update(at=now, files=files)
    return files


def _read_pynsee_file_list():
    """pynsee's catalogue, read afresh in a daemon thread with a time limit: offline, pynsee's own
    session retries for minutes and then fails with an UnboundLocalError; neither must stall or
    crash a build."""
    import threading

    try:
        from pynsee.download import get_file_list
        from pynsee.download._get_dict_data_source import _get_dict_data_source
    except ImportError as exc:  # optional at run time: the last known URL is then used
        raise ResolveError("pynsee n'est pas installé (pip install pynsee)") from exc
    _get_dict_data_source.cache_clear()  # pynsee caches the catalogue for the process: ask again
    get_file_list.cache_clear()
    box: dict = {}

    def work() -> None:
        try:
            box["files"] = get_file_list()
        except Exception as exc:  # pynsee raises anything when its catalogue is unreachable
            box["error"] = exc

    thread = threading.Thread(target=work, name="pynsee-catalogue", daemon=True)
    thread.start()
    thread.join(PYNSEE_TIMEOUT)
    if thread.is_alive():
        raise ResolveError(f"catalogue de fichiers INSEE (pynsee) sans réponse après {PYNSEE_TIMEOUT:.0f} s")
    if "error" in box:
        exc = box["error"]
        raise ResolveError(f"catalogue de fichiers INSEE (pynsee) illisible [{type(exc).__name__}]") from exc
    return box["files"]


def _insee_reachable(source: Source, session: requests.Session | None) -> None:
    """A quick HEAD on the producer's site first: offline, pynsee's own session would retry for a
    minute before failing, and a build (or `sources --fraicheur`) would wait that long per run."""
    if session is None:
        return
    try:
        session.head(source.url, timeout=PROBE_TIMEOUT, allow_redirects=True)
    except requests.RequestException as exc:
        host = urlparse(source.url).netloc
        raise ResolveError(f"{host} injoignable [{type(exc).__name__}]") from exc


def _pynsee(source: Source, session: requests.Session | None = None) -> list[Candidate]:
    """The census files of pynsee's catalogue matching `pynsee_link`, newest year first, then `url`.

    When pynsee's catalogue cannot be read, the last known URL alone (said in the vintage text)."""
    pattern = re.compile(source.pynsee_link, re.IGNORECASE)
    try:
        _insee_reachable(source, session)
        files = _pynsee_file_list()
    except ResolveError as exc:
        return [Candidate(source.url, f"dernière version connue du catalogue ({exc})")]
    host = urlparse(
        source.url
    ).netloc  # the producer's own site only (pynsee reads its list without TLS checks)
    found: dict[str, tuple[str, str, str]] = {}
    for row in files.to_dict("records"):
        link = str(row.get("link") or "")
        match = pattern.search(link)
        if not match or link in found or urlparse(link).netloc != host:
            continue
        year = match.group(1) if match.groups() else ""
        date_ref = row.get("date_ref")
        published = str(date_ref)[:10] if isinstance(date_ref, str) else ""
        found[link] = (year, f"catalogue pynsee : {row.get('id') or row.get('name') or ''}", published)
    if source.url not in found:  # pynsee's metadata are kept by volunteers and may lag behind INSEE
        known = pattern.search(source.url)
        year = known.group(1) if known and known.groups() else ""
        found[source.url] = (year, "dernière version connue du catalogue de l'atlas", "")
    ordered = sorted(found.items(), key=lambda item: item[1][0], reverse=True)
    return [
        Candidate(link, f"RP {year} ({where})" if year else where, published)
        for link, (year, where, published) in ordered[:_KEEP]
    ]


def first_published(found: list[Candidate], session: requests.Session) -> Candidate:
    """The newest candidate that exists (HEAD answers < 400): a year's URL is only a guess."""
    for candidate in found:
        try:
            response = session.head(candidate.url, timeout=TIMEOUT, allow_redirects=True)
        except requests.RequestException as exc:
            raise ResolveError(f"producteur injoignable ({candidate.url}) [{type(exc).__name__}]") from exc
        if response.status_code < 400:
            return candidate
    raise ResolveError("aucune des versions essayées n'est publiée")
