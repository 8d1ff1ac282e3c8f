"""What the room sees on the projector: the board alone (counts, a grid of the latest enjeux, a large
QR code to join); the page folds its controls away below it."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import streamlit as st

from indicateurs.atelier import CATEGORIES, StoreUnavailable
from ui import share
from ui.safe import guarded, md

from .cards import render_enjeu
from .context import AtelierContext

__all__ = ["GRID_COLUMNS", "LATEST", "QR_WIDTH", "join_link", "join_url", "view"]

GRID_COLUMNS = 3
LATEST = 9  # three rows of three cards fit a 1080-px wall under the counts
QR_WIDTH = 360  # px: readable from the back of a room (was 160 on a 1920-px wall)


def view(ctx: AtelierContext) -> None:
    link = join_link(ctx)
    _board(ctx, link.url if link else None)
    if link and link.warning:
        st.warning(md(link.warning, limit=None))
    elif link and link.note:
        st.caption(link.note)


@st.fragment(run_every=5)
@guarded
def _board(ctx: AtelierContext, join: str | None) -> None:
    """Counts per category, the latest enjeux as a grid, the QR code; refreshed every 5 seconds."""
    try:
        counts = ctx.store.count_by_categorie(ctx.atelier.id)
        enjeux = ctx.store.list_enjeux(ctx.atelier.id)
    except StoreUnavailable as error:
        st.error(md(error))
        return
    board, side = st.columns([3, 1], gap="large")
    with board:
        st.markdown(f"## {md(ctx.atelier.titre)}")
        columns = st.columns(len(counts) + 1)
        columns[0].metric("Enjeux", sum(counts.values()))
        for column, (key, n) in zip(columns[1:], counts.items(), strict=True):
            column.metric(CATEGORIES[key], n)
        latest = list(reversed(enjeux))[:LATEST]
        if not latest:
            st.markdown("### Aucun enjeu pour l'instant : scannez le code pour ajouter le vôtre.")
        for start in range(0, len(latest), GRID_COLUMNS):
            row = st.columns(GRID_COLUMNS)
            for column, enjeu in zip(row, latest[start : start + GRID_COLUMNS], strict=False):
                with column:
                    render_enjeu(ctx, enjeu, large=True)
    with side:
        if join:
            st.image(_qr_png(join), width=QR_WIDTH)
            st.markdown("### Scannez pour ajouter vos enjeux")
            st.caption(join)
        st.caption(f"{len(enjeux)} enjeu(x) · actualisé toutes les 5 secondes.")


def join_link(ctx: AtelierContext) -> share.Reachable | None:
    """The address participants open on their phone (this page, territory and workshop), reachable
    from the room: `ATLAS_URL_PUBLIQUE`, else the LAN address, else a warning."""
    url = st.context.url
    if not url:
        return None
    query = urlencode({"territoire": f"{ctx.level}:{ctx.code}", "atelier": ctx.atelier.id}, safe=":")
    return share.reachable_url(f"{url.split('?')[0]}?{query}")


def join_url(ctx: AtelierContext) -> str | None:
    link = join_link(ctx)
    return link.url if link else None


@st.cache_data(show_spinner=False, max_entries=32)
def _qr_png(text: str) -> bytes:
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=2, box_size=12).save(buffer, format="PNG")
    return buffer.getvalue()
