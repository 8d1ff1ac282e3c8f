"""User and URL text shown by Streamlit's Markdown elements stays text (issue #18, failure 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ui.safe import as_shown, md

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "[Session expirée : cliquez ici](http://evil/phish)",
    "![x](http://host/pixel.png)",
    ":red[**ALERTE**]",
    "<img src=x onerror=alert(1)>",
    "# Titre\n- liste\n> citation",
    "http://evil.example/phish www.evil.example a@evil.example",
    "$x^2$ `code` ~~barré~~ | a | b |",
    "\\[échappé\\] \\\\",
]


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_itself(text):
    html = _html(md(text, limit=None))
    for tag in ("<a ", "<img", "<h1", "<li", "<blockquote", "<code", "<em", "<strong", "<s>", "<table"):
        assert tag not in html, (text, html)
    shown = html.removeprefix("<p>").removesuffix("</p>\n").replace("<br />\n", "\n")
    expected = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert shown == expected


def test_no_streamlit_directive_or_autolink_survives():
    """Streamlit reads `:red[…]` and GFM autolinks from the raw text: their colons must be escaped."""
    escaped = md(":red[ALERTE] http://evil www.evil.fr")
    assert ":red[" not in escaped and "http://" not in escaped and "www.evil" not in escaped
    assert escaped == r"\:red\[ALERTE\] http\:\/\/evil www\.evil\.fr"


def test_one_line_and_cut_with_an_ellipsis():
    assert md("a\nb\r\nc\x01d") == "a b c d"
    assert md("x" * 500, limit=10) == "x" * 9 + "…"
    assert md("l1\nl2", limit=None) == "l1  \nl2"


# ------------------------------------------------------------------- grep-proof of the pages
# The message boxes: where a reflected value looks like the app speaking.
MESSAGE_CALLS = {"warning", "error", "info", "success", "toast"}
# Values known to carry no raw user or URL text: a count, and the variables that hold a message
# already built with md() (state.show_notices, the Ressources flash message).
TRUSTED = {"len(errors)", "message", "text"}


def _untrusted(node: ast.expr, source: str) -> list[str]:
    """Parts of a message argument that are neither literal text, md(...), nor trusted."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id.isupper()):
        return []  # literal text and module constants are code, not user input
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "md":
        return []
    if isinstance(node, ast.JoinedStr):
        return [p for v in node.values for p in _untrusted(v, source)]
    if isinstance(node, ast.FormattedValue):
        return _untrusted(node.value, source)
    if isinstance(node, ast.BinOp):
        return _untrusted(node.left, source) + _untrusted(node.right, source)
    if (  # ", ".join(md(r) for r in rejected) / " ".join(map(md, messages))
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "join"
        and node.args
        and (
            (isinstance(node.args[0], ast.GeneratorExp) and not _untrusted(node.args[0].elt, source))
            or (
                isinstance(node.args[0], ast.Call)
                and getattr(node.args[0].func, "id", "") == "map"
                and getattr(node.args[0].args[0], "id", "") == "md"
            )
        )
    ):
        return []
    segment = ast.get_source_segment(source, node) or ast.dump(node)
    return [] if segment in TRUSTED else [segment]


def test_every_message_built_from_a_value_goes_through_md():
    """A new `st.warning(f"… {value}")` in ui/ or app_pages/ fails here until `value` is md(value)."""
    offenders = []
    files = sorted(
        [*ROOT.joinpath("ui").rglob("*.py"), *ROOT.joinpath("app_pages").rglob("*.py"), ROOT / "app.py"]
    )
    for path in files:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in MESSAGE_CALLS or not node.args:
                continue
            if any(kw.arg == "unsafe_allow_html" for kw in node.keywords):
                continue
            for part in _untrusted(node.args[0], source):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {part}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("text", HOSTILE)
def test_as_shown_reverses_md(text):
    assert as_shown(md(text, limit=None)) == text.replace("\r\n", "\n")
