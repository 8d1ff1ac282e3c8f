"""Every setting read from the environment, in one place: the store, the mirror, the workshop database.

| Variable             | Read by                          | Meaning                                              |
|----------------------|----------------------------------|------------------------------------------------------|
| `INDICATEURS_DATA`   | `data_dir()`                     | store root (raw downloads, built base, atelier.sqlite); default: the repository's `data/` |
| `INDICATEURS_MIROIR` | `mirror_dir()`                   | offline mirror of the sources, read-only; unset: download from the web |
| `DATABASE_URL`       | `database_url()`                 | workshop database (PostgreSQL); unset: SQLite in the store |
| `ATELIER_PIN`        | `atelier_pin()`                  | facilitator PIN of the workshop; unset: facilitator actions are refused |
| `ATLAS_URL_PUBLIQUE` | `public_url()`                   | address participants open (QR codes, share links), e.g. `http://192.168.1.20:8501`; unset: the machine's LAN address |
| `INDICATEURS_MILLESIMES` | `millesimes()`               | `figes` (pinned snapshot, catalogue.toml; default) or `courants` (newest releases, catalogue_courant.toml) |

Nothing else in the package or the app reads `os.environ`: add a row here and a function below.
`child_environment()` hands a copy of the whole environment to the processes `servir` starts.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "MILLESIMES",
    "SETTINGS",
    "atelier_pin",
    "base_dir",
    "child_environment",
    "data_dir",
    "database_url",
    "millesimes",
    "mirror_dir",
    "public_url",
    "raw_dir",
    "setting",
    "use_millesimes",
]

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"

SETTINGS = (
    "INDICATEURS_DATA",
    "INDICATEURS_MIROIR",
    "DATABASE_URL",
    "ATELIER_PIN",
    "INDICATEURS_MILLESIMES",
    "ATLAS_URL_PUBLIQUE",
)
"""The environment variables the atlas reads (see the table above)."""


def setting(name: str) -> str | None:
    """The value of environment variable `name`, None when unset or empty; only names of `SETTINGS`.

    >>> setting("HOME")
    Traceback (most recent call last):
    ...
    KeyError: 'HOME is not an atlas setting (see indicateurs.config)'
    """
    if name not in SETTINGS:
        raise KeyError(f"{name} is not an atlas setting (see indicateurs.config)")
    return os.environ.get(name) or None


def data_dir() -> Path:
    """The store root: `INDICATEURS_DATA` if set, else the repository's `data/` folder."""
    return Path(setting("INDICATEURS_DATA") or _REPO_DATA)


MILLESIMES = ("figes", "courants")


def millesimes() -> str:
    """Which catalogue the build uses: `figes` (the pinned snapshot, default) or `courants` (the
    newest release each producer announces), from `INDICATEURS_MILLESIMES`."""
    value = (setting("INDICATEURS_MILLESIMES") or "figes").strip().lower().replace("é", "e")
    if value not in MILLESIMES:
        raise ValueError(f"INDICATEURS_MILLESIMES doit valoir « figes » ou « courants » (reçu : {value!r}).")
    return value


def use_millesimes(mode: str) -> None:
    """Choose the catalogue for this process (`build --millesimes`): sets `INDICATEURS_MILLESIMES`."""
    if mode not in MILLESIMES:
        raise ValueError(f"millésimes « figes » ou « courants » (reçu : {mode!r})")
    os.environ["INDICATEURS_MILLESIMES"] = mode


def raw_dir() -> Path:
    """Source files as fetched (downloaded or copied from the mirror); the current releases are kept
    apart from the pinned snapshot so that switching back never reads a newer file by mistake."""
    return data_dir() / ("raw" if millesimes() == "figes" else "raw-courants")


def base_dir() -> Path:
    """The built base (Parquet/GeoParquet)."""
    return data_dir() / "base"


def mirror_dir() -> Path | None:
    """The offline mirror named by `INDICATEURS_MIROIR`, if any."""
    value = setting("INDICATEURS_MIROIR")
    return Path(value).expanduser().resolve() if value else None


def database_url() -> str | None:
    """The workshop database named by `DATABASE_URL`, if any (else the store's SQLite file is used)."""
    return setting("DATABASE_URL")


def atelier_pin() -> str | None:
    """The facilitator PIN of `ATELIER_PIN`, if configured (read on each call: it can be set late)."""
    return setting("ATELIER_PIN")


def public_url() -> str | None:
    """The address participants reach the app at (`ATLAS_URL_PUBLIQUE`), without a trailing slash.

    The facilitator's browser often says `localhost`, which no phone can open: QR codes and share
    links use this address first (see `ui.share`)."""
    value = (setting("ATLAS_URL_PUBLIQUE") or "").strip().rstrip("/")
    return value or None


def child_environment() -> dict[str, str]:
    """A copy of this process's environment, for the subprocesses it starts (`servir`'s instances)."""
    return dict(os.environ)
