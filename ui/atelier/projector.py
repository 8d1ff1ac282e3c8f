"""What the room sees on the projector: counts per category, the latest enjeux, a QR code to join."""

from __future__ import annotations

import io

import streamlit as st

from indicateurs.atelier import CATEGORIES, StoreUnavailable
from ui.safe import guarded, md

from .cards import render_enjeu
from .context import AtelierContext

__all__ = ["join_url", "view"]


def view(ctx: AtelierContext) -> None:
    _board(ctx, join_url(ctx))


@st.fragment(run_every=5)
@guarded
def _board(ctx: AtelierContext, join: str | None) -> None:
    """Counts per category and the latest enjeux, refreshed every 5 seconds."""
    try:
        counts = ctx.store.count_by_categorie(ctx.atelier.id)
        enjeux = ctx.store.list_enjeux(ctx.atelier.id)
    except StoreUnavailable as error:
        st.error(md(error))
        return
    board, side = st.columns([4, 1])
    columns = board.columns(len(counts) + 1)
    columns[0].metric("Enjeux", sum(counts.values()))
    for column, (key, n) in zip(columns[1:], counts.items(), strict=True):
        column.metric(CATEGORIES[key], n)
    if join:
        side.image(_qr_png(join), caption="Scannez pour ajouter vos enjeux", width=160)
    for enjeu in list(reversed(enjeux))[:12]:
        render_enjeu(ctx, enjeu, large=True)
    st.caption("Actualisé toutes les 5 secondes.")


def join_url(ctx: AtelierContext) -> str | None:
    """The address participants open on their phone: this page, this territory, this workshop."""
    url = st.context.url
    if not url:
        return None
    return f"{url.split('?')[0]}?territoire={ctx.level}:{ctx.code}&atelier={ctx.atelier.id}"


@st.cache_data(show_spinner=False, max_entries=32)
def _qr_png(text: str) -> bytes:
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=2).save(buffer, format="PNG")
    return buffer.getvalue()
