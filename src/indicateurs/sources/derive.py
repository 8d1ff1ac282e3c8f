"""Post-download transforms: turn a public file into the file the mirror (and the loaders) expect.

MANIFEST.csv says how each mirror file differs from its public URL (`recompressé`, `réduit`,
`dérivé`). The catalogue names the transform of each source (`derive`); `fetch` applies it to
every download. Each transform also accepts a file that is already in its final form (a server
serving the mirror folder), so that it is safe to run on either.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import Source

__all__ = ["CARTIFLETTE_PROPERTIES", "TRANSFORMS", "DeriveError", "apply", "cartiflette_names", "decode_text"]

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


class DeriveError(AtlasError, ValueError):
    """The downloaded file cannot be turned into the expected one (the message is French)."""


def _head(path: Path, n: int = 4) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def _gzip(src: Path, dst: Path, source: Source) -> None:
    """Plain file -> gzip (decoupage-administratif `*.json.gz`)."""
    if _head(src).startswith(_GZIP_MAGIC):
        shutil.copyfile(src, dst)
        return
    with src.open("rb") as fin, gzip.open(dst, "wb", compresslevel=6) as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def _gunzip(src: Path, dst: Path, source: Source) -> None:
    """gzip -> plain file (Etalab `*.geojson.gz` -> `*.geojson`)."""
    if not _head(src).startswith(_GZIP_MAGIC):
        shutil.copyfile(src, dst)
        return
    with gzip.open(src, "rb") as fin, dst.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


_ETALAB_PROPERTIES = {"departement": "dep", "region": "reg"}


def _geojson(src: Path, dst: Path, source: Source) -> None:
    """Etalab contours (`*.geojson.gz`, properties code, nom, departement, region, epci) -> plain
    GeoJSON, `departement`/`region` renamed to the mirror's `dep`/`reg` so both forms read alike.

    Nothing else is expected inside the GeoJSON: populations, EPCI nature and membership come from
    the reference lists (decoupage-administratif), and a level whose file is missing is dissolved
    from the communes by the build.
    """
    _gunzip(src, dst, source)
    first = _first_properties(dst)
    renames = {a: b for a, b in _ETALAB_PROPERTIES.items() if a in first and b not in first}
    if not renames:
        return  # nothing to rename (e.g. a server serving the mirror): no need to parse 14 MB
    with dst.open("rb") as f:
        data = json.load(f)
    features = data.get("features") or [] if isinstance(data, dict) else []
    for feature in features:
        props = feature.get("properties") or {}
        feature["properties"] = {renames.get(k, k): v for k, v in props.items()}
    with dst.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))


_PARQUET_MAGIC = b"PAR1"
# cartiflette keeps IGN ADMIN EXPRESS's historical field names (pipeline 0.2.0 changelog: « les noms de
# champs de l'édition 4-0 sont ramenés aux noms historiques (INSEE_COM, NOM, POPULATION…) »); they
# become the mirror's property names. POPULATION is left out: populations come from the COG lists.
CARTIFLETTE_PROPERTIES = {
    "COMMUNE": {
        "INSEE_COM": "code",
        "NOM": "nom",
        "INSEE_DEP": "dep",
        "INSEE_REG": "reg",
        "SIREN_EPCI": "epci",
    },
}


def cartiflette_names(frame, layer: str = "COMMUNE"):
    """A frame with cartiflette's (IGN) column names renamed to ours (code, nom, dep, reg, epci);
    SIREN_EPCI cleaned: 'NC' (no EPCI) -> None, '200054781/200057966' (MGP/EPT) -> the first SIREN."""
    names = CARTIFLETTE_PROPERTIES[layer]
    if "code" in frame.columns or not set(names) & set(frame.columns):
        return frame
    out = frame[[c for c in names if c in frame.columns] + ["geometry"]].rename(columns=names)
    if "epci" in out.columns:
        out["epci"] = [_siren(v) for v in out["epci"]]
    return out


def _siren(value) -> str | None:
    match = re.match(r"\s*(\d{9})", str(value)) if value is not None else None
    return match.group(1) if match else None


def _cartiflette(src: Path, dst: Path, source: Source) -> None:
    """cartiflette's consolidated GeoParquet (IGN ADMIN EXPRESS COG CARTO of the year, properties
    INSEE_COM, NOM, INSEE_DEP, INSEE_REG, SIREN_EPCI…) -> the GeoJSON the loaders read (code, nom,
    dep, reg, epci; 6 decimals). Anything else (the Etalab file of the same year, the mirror's file)
    goes through the Etalab transform: one source, either producer."""
    if not _head(src).startswith(_PARQUET_MAGIC):
        _geojson(src, dst, source)
        return
    import geopandas as gpd
    import pyogrio

    layer = source.layer or "COMMUNE"
    try:
        frame = gpd.read_parquet(src)
    except Exception as exc:  # pyarrow raises several kinds on a truncated or foreign file
        raise DeriveError(f"GeoParquet cartiflette illisible ({exc})") from exc
    wanted = [c for c, ours in CARTIFLETTE_PROPERTIES[layer].items() if ours in ("code", "nom")]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DeriveError(
            f"colonne(s) absente(s) du GeoParquet cartiflette : {', '.join(missing)} "
            f"(colonnes lues : {', '.join(map(str, frame.columns))})"
        )
    out = cartiflette_names(frame, layer)
    out = out.set_crs(4326) if out.crs is None else out.to_crs(4326)
    pyogrio.write_dataframe(out, dst, driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 6})


def _first_properties(path: Path) -> dict:
    """The properties of the first feature, read from the head of the file only."""
    with path.open("rb") as f:
        head = f.read(1 << 18).decode("utf-8", errors="ignore")
    match = re.search(r'"properties"\s*:\s*', head)
    if match is None:
        return {}
    try:
        value, _ = json.JSONDecoder().raw_decode(head, match.end())
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def decode_text(raw: bytes) -> str:
    """Producers publish UTF-8 (with or without BOM) or Windows latin-1 (INSEE, ARCEP): decode either."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _utf8(raw: bytes) -> bytes:
    """The same text as UTF-8 bytes; UTF-8 input is returned unchanged (byte-identical mirror)."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").encode("utf-8")


def _open_member(src: Path, source: Source):
    """The text stream of `source.member` inside a zip, or of the file itself if it is no zip."""
    if not _head(src).startswith(_ZIP_MAGIC):
        return gzip.open(src, "rb") if _head(src).startswith(_GZIP_MAGIC) else src.open("rb")
    try:
        archive = zipfile.ZipFile(src)
    except zipfile.BadZipFile as exc:
        raise DeriveError(f"archive zip illisible ({exc})") from exc
    wanted = source.member.lower()
    names = [n for n in archive.namelist() if Path(n).name.lower() == wanted]
    if not names:  # a later edition may suffix the name with its year (base_cc_comparateur_2025.CSV)
        stem = Path(wanted).stem
        names = [
            n
            for n in archive.namelist()
            if Path(n).name.lower().startswith(stem) and Path(n).suffix.lower() == Path(wanted).suffix
        ]
    if not names:
        raise DeriveError(
            f"le fichier « {source.member} » est absent de l'archive zip ({archive.namelist()})"
        )
    return archive.open(names[0])


def _zip_member(src: Path, dst: Path, source: Source) -> None:
    """Take `member` out of a zip; gzip it if the stored file is `.gz` (INSEE comparateur)."""
    if source.file.endswith(".gz") and _head(src).startswith(_GZIP_MAGIC):
        shutil.copyfile(src, dst)  # already the mirror's gzip
        return
    with _open_member(src, source) as fin:
        raw = fin.read()
    opener = partial(gzip.open, compresslevel=6) if source.file.endswith(".gz") else open
    with opener(dst, "wb") as fout:
        fout.write(_utf8(raw))


def _insee_meta(src: Path, dst: Path, source: Source) -> None:
    """The comparateur dictionary without its 35,010 `CODGEO` label rows (MANIFEST: `réduit`)."""
    with _open_member(src, source) as fin:
        raw = _utf8(fin.read())
    with dst.open("wb") as fout:
        for line in raw.splitlines(keepends=True):
            if not line.startswith(b"CODGEO;"):
                fout.write(line)


def _pad(row: dict[str, str], source: Source) -> dict[str, str]:
    """Restore the leading zeros lost by spreadsheets (`1001` -> `01001`); other values untouched."""
    for column, width in source.pad:
        value = row.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value))
        if isinstance(value, str) and value.isdigit() and len(value) < width:
            row[column] = value.zfill(width)
        elif value is not None:
            row[column] = value
    return row


def _write_csv(dst: Path, columns: Iterable[str], rows: Iterable[dict], sep: str) -> None:
    with dst.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), delimiter=sep, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _csv(src: Path, dst: Path, source: Source) -> None:
    """Rewrite a CSV: skip disclaimer lines above the header, change the separator, pad codes.

    ARCEP: first line 'Version beta…' dropped and ';' -> ','; CNFS COSELEC: ';' -> ',' and codes
    padded; France Services: rewritten without needless quote marks. Values are unchanged.
    """
    text = decode_text(src.read_bytes())
    lines = text.splitlines(keepends=True)
    first = source.columns[0] if source.columns else ""
    start = next((i for i, line in enumerate(lines[:20]) if first in line), 0)
    header = lines[start] if lines else ""
    sep_in = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO("".join(lines[start:])), delimiter=sep_in)
    rows = [_pad(row, source) for row in reader]
    _write_csv(dst, reader.fieldnames or [], rows, source.sep)


def _records(data: object, key_column: str) -> list[dict]:
    """A JSON list of objects, or an object keyed by name whose key becomes `key_column`."""
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict):
        return [{key_column: k, **v} for k, v in data.items() if isinstance(v, dict)]
    raise DeriveError("le JSON n'est ni une liste ni un objet d'enregistrements")


def _load_json(src: Path) -> object | None:
    """The parsed JSON, or None when the file is already a CSV (a server serving the mirror)."""
    raw = src.read_bytes().lstrip(b"\xef\xbb\xbf \t\r\n")
    if raw[:1] not in (b"[", b"{"):
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DeriveError(f"JSON invalide ({exc})") from exc


def _json_csv(src: Path, dst: Path, source: Source) -> None:
    """JSON -> CSV keeping ONLY the declared columns, so personal data never reaches the store.

    CNFS permanences: the nested `aidants` list (names, e-mails, phones of advisers) becomes the
    count `nb_conseillers`; `courriel` and `telephone` are not declared, hence dropped.
    """
    data = _load_json(src)
    if data is None:
        shutil.copyfile(src, dst)
        return
    rows = []
    for record in _records(data, source.columns[0]):
        if "nb_conseillers" in source.columns:
            record["nb_conseillers"] = len(record.get("aidants") or [])
        row = {c: record.get(c) for c in source.columns}
        rows.append(_pad({c: "" if v is None else v for c, v in row.items()}, source))
    _write_csv(dst, source.columns, rows, source.sep)


def _french_number(value: object) -> float | None:
    """'3 346' / '18,7' / 743 -> float; anything else (secret, empty) -> None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        try:
            return float(cleaned)
        except ValueError:
            return None
    return None


def _illectronisme(src: Path, dst: Path, source: Source) -> None:
    """Portrea's INSEE Hauts-de-France JSON -> `code_epci, nom_epci, taux_illectronisme_pct, nb_…`."""
    data = _load_json(src)
    if data is None:
        shutil.copyfile(src, dst)
        return
    rows = []
    for r in _records(data, "Code EPCI"):
        code = r.get("Code EPCI")
        rate, count = _french_number(r.get("Taux (en %)")), _french_number(r.get("Nombre"))
        rows.append(
            {
                "code_epci": str(int(code)) if isinstance(code, int | float) else str(code or ""),
                "nom_epci": r.get("Libellé EPCI", ""),
                "taux_illectronisme_pct": "" if rate is None else rate,
                "nb_personnes_illectronisme": "" if count is None else count,
            }
        )
    _write_csv(dst, source.columns, rows, source.sep)


def _d4g(src: Path, dst: Path, source: Source) -> None:
    """Data For Good RP 2017: drop the index and `TX_DEMANDEURS_EMPLOI`, keep one row per commune
    (the filled one), round to 3 decimals, pad codes."""
    import pandas as pd

    frame = pd.read_csv(src, dtype={c: str for c, _ in source.pad})
    if list(frame.columns) == list(source.columns):
        shutil.copyfile(src, dst)  # already the mirror file
        return
    frame = frame.drop(
        columns=[c for c in frame.columns if c.startswith("Unnamed") or c == "TX_DEMANDEURS_EMPLOI"]
    )
    for column, width in source.pad:
        frame[column] = frame[column].str.strip().str.zfill(width)
    key = source.columns[0]
    frame = (
        frame.assign(_filled=frame.notna().sum(axis=1))
        .sort_values("_filled", ascending=False, kind="stable")
        .drop_duplicates(key)
        .sort_index()
        .drop(columns="_filled")
    )
    frame.round(3).to_csv(dst, index=False, columns=list(source.columns), lineterminator="\n")


TRANSFORMS: dict[str, Callable[[Path, Path, Source], None]] = {
    "gzip": _gzip,
    "gunzip": _gunzip,
    "geojson": _geojson,
    "cartiflette": _cartiflette,
    "zip": _zip_member,
    "insee_meta": _insee_meta,
    "csv": _csv,
    "json_csv": _json_csv,
    "illectronisme": _illectronisme,
    "d4g": _d4g,
}


def apply(source: Source, src: Path, dst: Path) -> bool:
    """Apply the source's transform from `src` to `dst`; False (nothing written) if it has none."""
    if not source.derive:
        return False
    if source.derive not in TRANSFORMS:
        raise DeriveError(f"transformation inconnue dans le catalogue : {source.derive!r}")
    try:
        TRANSFORMS[source.derive](src, dst, source)
    except DeriveError:
        raise
    except (OSError, EOFError, ValueError, KeyError, csv.Error, zipfile.BadZipFile) as exc:
        raise DeriveError(f"transformation « {source.derive} » impossible ({exc})") from exc
    return True
