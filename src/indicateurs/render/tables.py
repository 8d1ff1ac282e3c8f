"""Spreadsheet exports that French users open in Excel or LibreOffice without surprises."""

from __future__ import annotations

import io
import re

import pandas as pd

from indicateurs.reference.text import clean_text, slug

__all__ = ["clean_text", "csv_bytes", "neutralise_formulas", "safe_filename", "xlsx_bytes"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise_cell(value):
    value = clean_text(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @) with a quote, and drop
    the control characters that XML forbids (see `clean_text`)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_neutralise_cell)
    out.columns = [_neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, *, sep: str = ";", decimal: str = ",") -> bytes:
    """CSV as French Excel expects it: UTF-8 with BOM, ';' separator, decimal comma, no index."""
    buffer = io.StringIO()
    neutralise_formulas(df).to_csv(buffer, sep=sep, decimal=decimal, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, number_formats: dict[str, str] | None = None) -> bytes:
    """An XLSX workbook: one sheet per frame, bold header, frozen first row, widths fitted, numbers kept as numbers.

    `number_formats` maps a column name to an Excel format (e.g. {"Valeur": "0.0"}).
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet = _sheet_name(clean_text(name), used)
            neutralise_formulas(frame).to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor="5B2C83")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for idx, col in enumerate(frame.columns, start=1):
                letter = get_column_letter(idx)
                sample = [str(col), *map(str, frame[col].head(200).tolist())]
                ws.column_dimensions[letter].width = min(60, max(10, max(len(s) for s in sample) + 2))
                fmt = (number_formats or {}).get(str(col))
                if fmt:
                    for cell in ws[letter][1:]:
                        cell.number_format = fmt
            if len(frame.columns):
                ws.auto_filter.ref = ws.dimensions
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]\*\?/\\:]", " ", name).strip()[:31] or "Feuille"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def safe_filename(text: str, suffix: str = "") -> str:
    """'CC du Haut Val de Sèvre' -> 'cc-du-haut-val-de-sevre' (+ suffix): safe on every OS."""
    return slug(text) + suffix
