"""Text from a user or a URL, shown by Streamlit's Markdown elements exactly as typed.

`st.warning`, `st.error`, `st.info`, `st.success`, `st.caption` and `st.markdown` read their text as
Markdown: a territory code in the address such as `[Session expirée](http://evil)` would become a
live link inside the app's own warning, `![x](http://host/pixel.png)` an outside image fetched by
every visitor, `:red[ALERTE]` a fake red alert and `http://…` a clickable link. `md()` is the one
helper that every page uses for such strings.

`guarded` and `report_error` are the last net under every page: an unexpected error shows one French
sentence, and its details go to the server log, never to the participant's screen.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

__all__ = ["UNEXPECTED_ERROR", "as_shown", "guarded", "md", "plain", "report_error"]

UNEXPECTED_ERROR = (
    "Une erreur inattendue empêche d'afficher cette partie de la page. Rechargez la page ; si "
    "l'erreur revient, prévenez l'animateur (le détail est enregistré dans le journal du serveur)."
)
_LOG = logging.getLogger("atlas")
_F = TypeVar("_F", bound=Callable)

# CommonMark lets a backslash escape any ASCII punctuation, and the escaped character always shows
# as itself: links, images, emphasis, headings, lists, HTML tags, maths ($), Streamlit's colour
# directives (:red[…]) and GFM autolinks (http://, www., a@b.c) all need one of these characters.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md(text: object, *, limit: int | None = 200) -> str:
    """`text` escaped for Markdown, on one line, cut to `limit` characters (with '…') when longer.

    The cut keeps a long hostile address from filling the page; pass `limit=None` for user content
    shown in full.
    """
    value = _CONTROL.sub(" ", plain(text))
    value = " ".join(value.split("\n")) if limit is not None else value
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    escaped = _PUNCTUATION.sub(r"\\\1", value)
    # a line break inside user content stays a line break (two spaces), never a Markdown block
    return escaped.replace("\n", "  \n")


def plain(text: object) -> str:
    """The text as a string with Windows and old Mac line ends made '\\n'."""
    return str(text).replace("\r\n", "\n").replace("\r", "\n")


def report_error(exc: BaseException) -> None:
    """Log the error with its traceback on the server; show participants a French sentence only."""
    _LOG.error("Erreur inattendue dans une page : %r", exc, exc_info=exc)
    st.error(UNEXPECTED_ERROR)


def guarded(func: _F) -> _F:
    """Run `func`, turning an uncaught error into `report_error` (for fragments, which rerun alone).

    st.rerun and st.stop raise BaseException subclasses, so they pass through untouched.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            report_error(exc)
            return None

    return wrapper  # type: ignore[return-value]


def as_shown(markdown: str) -> str:
    """What a person reads for a text made by `md` (backslash escapes removed): for tests and logs."""
    return _ESCAPED.sub(r"\1", markdown).replace("  \n", "\n")
