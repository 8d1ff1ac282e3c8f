"""French text helpers shared by every layer: folding for search and keys, slugs, numbers, suggestions.

One copy of each so that the search box, the file names, the spreadsheets and the error messages
agree: a thin no-break space (U+202F) groups thousands, a comma marks decimals, a no-break space
(U+00A0) sits before '%' and units.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "NBSP",
    "THIN",
    "clean_text",
    "collapse",
    "did_you_mean",
    "fold",
    "format_number",
    "format_percent",
    "normalise",
    "slug",
    "suggest",
]

THIN = "\u202f"  # thousands separator: '12 345'
NBSP = "\u00a0"  # before a unit or '%': '31,2 %'
_TYPOGRAPHY = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-"}
)


def fold(text: object) -> str:
    """Lower case without accents, ligatures spelled out, typographic apostrophes and dashes made plain.

    >>> fold("Saint-Étienne"), fold("Cœur de Loire"), fold("L’Isle-Adam")
    ('saint-etienne', 'coeur de loire', "l'isle-adam")
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_TYPOGRAPHY))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise(text: object, sep: str = " ") -> str:
    """`fold`, then every run of other characters than letters and digits becomes `sep` (trimmed).

    >>> normalise("Sèvre-Niortaise"), normalise("Lieu de médiation", ""), normalise(" Code commune ", "_")
    ('sevre niortaise', 'lieudemediation', 'code_commune')
    """
    return re.sub(r"[^a-z0-9]+", sep, fold(text)).strip(sep) if sep else re.sub(r"[^a-z0-9]+", "", fold(text))


def slug(text: object, default: str = "territoire", max_length: int = 80) -> str:
    """A file-name part safe on every OS.

    >>> slug("CC du Haut Val de Sèvre"), slug("???")
    ('cc-du-haut-val-de-sevre', 'territoire')
    """
    return (normalise(text, "-") or default)[:max_length]


# Characters that XML 1.0 (XLSX, DOCX) forbids: openpyxl raises IllegalCharacterError on the first one.
_LINE_BREAKS = re.compile(r"[\x0b\u2028\u2029]")  # PowerPoint pastes a line break as \x0b
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def clean_text(value):
    r"""Text without the control characters a copy-paste brings (\x01, PowerPoint's \x0b...).

    Line-break look-alikes become '\n'; the others are dropped. Non-text values pass unchanged.
    Used on input (forms, uploads: atelier.validate) and by every XLSX / DOCX writer (render.tables).

    >>> clean_text("ligne 1\x0bligne 2\x01"), clean_text(3)
    ('ligne 1\nligne 2', 3)
    """
    if not isinstance(value, str):
        return value
    return _XML_ILLEGAL.sub("", _LINE_BREAKS.sub("\n", value))


def collapse(value: object) -> str:
    """Case and spacing ignored (accents kept): the duplicate key of a typed record; None -> ''.

    >>> collapse("  Médiathèque   du Centre "), collapse(None)
    ('médiathèque du centre', '')
    """
    return " ".join(str(value or "").lower().split())


def format_number(value: float, decimals: int = 0, *, trim: bool = False, group: bool = True) -> str:
    """French number: thin no-break space between thousands, decimal comma.

    `trim` drops trailing zeros of the decimals; `group=False` leaves the thousands together (a cell
    a spreadsheet must read as a number).

    >>> format_number(12345.678, 1), format_number(1254), format_number(2.50, 2, trim=True)
    ('12\u202f345,7', '1\u202f254', '2,5')
    >>> format_number(1234.5, 4, trim=True, group=False)
    '1234,5'
    """
    text = f"{value:,.{decimals}f}"
    if trim and decimals > 0:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", THIN if group else "").replace(".", ",")


def format_percent(fraction: float, decimals: int = 1) -> str:
    """A fraction as a French percentage.

    >>> format_percent(0.3124)
    '31,2\u00a0%'
    """
    return f"{format_number(fraction * 100, decimals)}{NBSP}%"


def suggest(close: Iterable[str]) -> str:
    """The French 'did you mean' sentence for already found names, '' when there are none.

    >>> suggest(["epci", "region"]), suggest([])
    (' Vouliez-vous dire : epci, region ?', '')
    """
    close = list(dict.fromkeys(close))
    return f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""


def did_you_mean(value: object, choices: Iterable[object], *, n: int = 3, cutoff: float = 0.6) -> str:
    """' Vouliez-vous dire : a, b ?' with the choices closest to `value` (difflib), '' when none is close.

    >>> did_you_mean("epic", ["commune", "epci", "region"])
    ' Vouliez-vous dire : epci ?'
    """
    return suggest(difflib.get_close_matches(str(value), [str(c) for c in choices], n=n, cutoff=cutoff))
