import io

import openpyxl
import pandas as pd

from indicateurs.render.tables import clean_text, csv_bytes, neutralise_formulas, safe_filename, xlsx_bytes


def test_csv_is_excel_friendly_and_neutralises_formulas():
    df = pd.DataFrame({"nom": ["Sèvre", "=1+1", "-2", "@x"], "valeur": [0.5, 1.25, 2.0, 3.0]})
    data = csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads accents
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "nom;valeur"
    assert "Sèvre;0,5" in text
    assert "'=1+1;1,25" in text and "'-2;2,0" in text and "'@x;3,0" in text


def test_neutralise_leaves_numbers_alone():
    out = neutralise_formulas(pd.DataFrame({"v": [-1.5, 2.0], "t": ["+33", "ok"]}))
    assert out["v"].tolist() == [-1.5, 2.0]
    assert out["t"].tolist() == ["'+33", "ok"]


def test_xlsx_has_sheets_frozen_header_and_numbers():
    sheets = {
        "Indicateurs": pd.DataFrame({"Indicateur": ["IFN"], "Valeur": [6.4]}),
        "Sources/notes": pd.DataFrame({"a": [1]}),
    }
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets, number_formats={"Valeur": "0.0"})))
    assert wb.sheetnames == ["Indicateurs", "Sources notes"]
    ws = wb["Indicateurs"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws["B2"].value == 6.4 and isinstance(ws["B2"].value, float)
    assert ws["B2"].number_format == "0.0"


def test_safe_filename():
    assert safe_filename("CC du Haut Val de Sèvre", ".pdf") == "cc-du-haut-val-de-sevre.pdf"
    assert safe_filename("///") == "territoire"


def test_control_characters_do_not_break_the_xlsx():
    """Issue #18, failure 2: one \\x01 or a PowerPoint \\x0b made openpyxl raise IllegalCharacterError."""
    frame = pd.DataFrame({"Enjeu\x01": ["ligne 1\x0bligne 2", "bip\x01\x1f", "\x01=1+1"], "n": [1, 2, 3]})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Enjeux\x07": frame})))
    ws = wb["Enjeux"]
    assert [c.value for c in ws[1]] == ["Enjeu", "n"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == ["ligne 1\nligne 2", "bip", "'=1+1"]
    assert "\x0b" not in csv_bytes(frame).decode("utf-8-sig")


def test_clean_text_keeps_tabs_line_ends_and_non_text():
    assert clean_text("a\tb\r\nc\u2028d\ufffe") == "a\tb\r\nc\nd"
    assert clean_text(3.5) == 3.5 and clean_text(None) is None
