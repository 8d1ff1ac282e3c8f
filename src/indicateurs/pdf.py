"""The printable profile: a 2-page A4 PDF (fpdf2) with a static commune map and a ladder chart (matplotlib).

No browser is involved: matplotlib draws PNG images in memory (Agg, no pyplot state), fpdf2 lays
them out with the DejaVu font shipped with matplotlib (accents, narrow spaces). Shapes, hatching
and a single-hue palette keep the page legible when printed in grey.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from indicateurs.charts import axis_title, scale
from indicateurs.profile import COMPOSITE_ID, LEVEL_LABELS, Profile, display_value
from indicateurs.registry import get_indicator, list_indicators

__all__ = ["LADDER_IDS", "ladder_png", "map_png", "profile_pdf"]

LADDER_IDS = (
    "ifn",
    COMPOSITE_ID,
    "part_thd",
    "taux_pauvrete",
    "taux_chomage",
    "part_peu_diplomes",
    "part_65_plus",
    "part_menages_seuls",
)
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_PURPLE = (91, 44, 131)
_MARKERS = {  # role -> (legend, marker, face, edge, size)
    "territoire": ("Territoire", "o", "black", "black", 60),
    "voisin": ("Voisins", "o", "white", "0.45", 24),
    "pair": ("Comparables", "s", "white", "0.45", 22),
    "epci": ("EPCI", "v", "0.35", "0.35", 34),
    "departement": ("Département", "s", "0.35", "0.35", 30),
    "region": ("Région", "^", "0.35", "0.35", 36),
    "france": ("France", "D", "white", "black", 32),
}


def _png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------- map


def _map_layer(base, profile: Profile):
    """Geometries to draw and the values joined to them: communes, or a coarser level for France."""
    if profile.level == "france":
        geo = base.geometry("departement")
        return geo, base.wide("departement")
    geo = base.geometry("commune")
    geo = geo.loc[geo["code"].astype(str).isin(profile.communes.index)]
    return geo, profile.communes


def _class_masks(values: pd.Series, indicator_id: str, k: int = 5):
    """(colour, legend label, boolean mask) per class: exact values when few, else quantile classes."""
    known = values.dropna()
    if known.empty:
        return []
    ramp = matplotlib.colormaps["Purples"]
    distinct = np.unique(known.to_numpy())
    if len(distinct) <= k:
        colours = ramp(np.linspace(0.2, 0.95, len(distinct)))
        return [(c, _fmt(v, indicator_id), values == v) for c, v in zip(colours, distinct, strict=True)]
    edges = np.unique(np.quantile(known, np.linspace(0, 1, k + 1)))
    colours = ramp(np.linspace(0.2, 0.95, len(edges) - 1))
    out = []
    for i, colour in enumerate(colours):
        lo, hi = edges[i], edges[i + 1]
        mask = (values >= lo) & ((values < hi) if i < len(colours) - 1 else (values <= hi))
        out.append((colour, f"{_fmt(lo, indicator_id)} à {_fmt(hi, indicator_id)}", mask))
    return out


def map_png(base, profile: Profile, indicator_id: str = "ifn", *, width_in: float = 4.2) -> bytes:
    """A static choropleth of the territory's communes for one indicator (PNG bytes).

    Quantile classes in a single-hue purple ramp (light = low) read in grey; communes without a
    value are hatched and named in the legend as "donnée non disponible".
    """
    geo, values = _map_layer(base, profile)
    geo = geo.assign(code=geo["code"].astype(str))
    column = values[indicator_id] if indicator_id in values.columns else pd.Series(dtype=float)
    geo["v"] = geo["code"].map(pd.to_numeric(column, errors="coerce") * scale(indicator_id))
    fig = Figure(figsize=(width_in, width_in))
    ax = fig.add_subplot()
    ax.set_axis_off()
    if geo.empty:
        ax.text(0.5, 0.5, "Géométrie non disponible", ha="center", va="center", transform=ax.transAxes)
        return _png(fig)
    handles = []
    for colour, label, mask in _class_masks(geo["v"], indicator_id):
        part = geo.loc[mask]
        if not part.empty:
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.4)
        handles.append(Patch(facecolor=colour, edgecolor="0.5", label=label))
    missing = geo.loc[geo["v"].isna()]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="white", edgecolor="0.4", hatch="////", linewidth=0.4)
        handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="////", label="donnée non disponible"))
    outline = geo.dissolve()
    outline.boundary.plot(ax=ax, color="black", linewidth=1.0)
    lat = float(np.mean(geo.total_bounds[[1, 3]]))
    ax.set_aspect(1 / max(math.cos(math.radians(lat)), 0.2))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        fontsize=7,
        frameon=False,
        title=axis_title(indicator_id),
        title_fontsize=7.5,
    )
    return _png(fig)


def _fmt(value: float, indicator_id: str) -> str:
    decimals = 0 if indicator_id == COMPOSITE_ID else get_indicator(indicator_id).decimals
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


# ---------------------------------------------------------------- ladder


def ladder_png(profile: Profile, indicator_ids=LADDER_IDS, *, width_in: float = 7.4) -> bytes:
    """Small multiples, one row per indicator: the territory (black dot) among its comparison territories."""
    ladder = profile.ladder
    ids = [i for i in indicator_ids if ladder.loc[ladder["indicator"] == i, "value"].notna().any()]
    height = 0.5 * len(ids) + 0.6
    fig = Figure(figsize=(width_in, height))
    axes = fig.subplots(len(ids), 1, squeeze=False)[:, 0]
    for ax, ind_id in zip(axes, ids, strict=True):
        rows = ladder.loc[ladder["indicator"] == ind_id]
        factor = scale(ind_id)
        for role, (_label, marker, face, edge, size) in _MARKERS.items():
            part = rows.loc[(rows["role"] == role) & rows["value"].notna()]
            if part.empty:
                continue
            ax.scatter(
                part["value"] * factor,
                np.zeros(len(part)),
                marker=marker,
                s=size,
                facecolor=face,
                edgecolor=edge,
                linewidths=1.0,
                zorder=5 if role == "territoire" else 3,
            )
        own = rows.loc[rows["role"] == "territoire"].iloc[0]
        shown = display_value(own["value"], ind_id)
        ax.set_title(f"{axis_title(ind_id)} : {shown}", fontsize=7.5, loc="left", pad=2)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=6.5, length=2, pad=1)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.axhline(0, color="0.85", linewidth=0.6, zorder=1)
        values = rows["value"].dropna() * factor
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * 0.08 or abs(high) * 0.05 or 1
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(-1, 1)
    handles = [
        matplotlib.lines.Line2D(
            [], [], marker=m, linestyle="", markerfacecolor=f, markeredgecolor=e, markersize=math.sqrt(s), label=lab
        )
        for role, (lab, m, f, e, s) in _MARKERS.items()
        if role in set(ladder["role"])
    ]
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=7, frameon=False)
    fig.subplots_adjust(hspace=1.6, top=1 - 0.4 / height)
    return _png(fig, dpi=170)


# ---------------------------------------------------------------- pdf


def _new_pdf():
    from fpdf import FPDF

    class _ProfilePDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-10)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(90)
            self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")

    pdf = _ProfilePDF(format="A4", unit="mm")
    pdf.add_font("DejaVu", "", _FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", _FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font("DejaVu", "I", _FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    return pdf


def _heading(pdf, text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_text_color(*_PURPLE)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font("DejaVu", "", 8.5)


def _subtitle(profile: Profile) -> str:
    parts = [f"{LEVEL_LABELS[profile.level]} {profile.code}"] if profile.level != "france" else []
    for r in profile.parents.itertuples():
        if r.role != "france":
            parts.append(f"{LEVEL_LABELS[r.level]} : {r.nom}")
    if profile.level not in ("commune", "france"):
        parts.append(f"{profile.n_communes} communes")
    return " · ".join(parts)


def _pct(value) -> str:
    return f"{value:.0f}" if pd.notna(value) else "–"


def _key_table(pdf, profile: Profile) -> None:
    key = profile.key_figures
    pdf.set_font("DejaVu", "", 7.5)
    widths = (70, 34, 15, 15, 28, 24)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", "RIGHT", "CENTER", "CENTER", "RIGHT", "LEFT"),
        line_height=3.6,
        first_row_as_headings=True,
        headings_style=_headings_style(),
        borders_layout="HORIZONTAL_LINES",
        padding=0.6,
    ) as table:
        table.row(["Indicateur", "Valeur", "Pctl national", "Pctl régional", "Concernés (estim.)", "Millésime"])
        for r in key.itertuples():
            millesime = "calcul" if r.indicator == COMPOSITE_ID else get_indicator(r.indicator).millesime
            table.row(
                [
                    _short_label(r.indicator),
                    r.display,
                    _pct(r.national_pct),
                    _pct(r.regional_pct),
                    r.concerned_text.removeprefix("environ ") if r.concerned_text else "",
                    millesime.split("(")[0].strip(),
                ]
            )


def _headings_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=255, fill_color=_PURPLE)


def _short_label(indicator_id: str) -> str:
    if indicator_id == COMPOSITE_ID:
        return "Indice composite ouvert (0 à 100)"
    ind = get_indicator(indicator_id)
    return ind.label if len(ind.label) <= 60 else ind.short


def _sources(profile: Profile) -> list[str]:
    ids = set(profile.ladder["indicator"])
    lines: dict[str, list[str]] = {}
    for ind in list_indicators():
        if ind.id in ids:
            src = ind.source_entry
            key = f"{src.producer.split('(')[0].strip()}, {src.title} — {src.licence}"
            lines.setdefault(key, []).append(f"{ind.short} ({ind.millesime})")
    return [f"{source} : {', '.join(items)}." for source, items in lines.items()]


_METHOD = (
    "Percentile national : part des territoires du même niveau dont la valeur est inférieure ou égale "
    "(100 = valeur la plus élevée de France). Percentile régional : même calcul dans la région. "
    "Voisins : territoires limitrophes du même niveau ; territoires comparables : les plus proches sur les "
    "indicateurs de l'indice composite et la population. Indice composite ouvert : moyenne des rangs "
    "des indicateurs marqués « composite » (0 = le moins fragile, 100 = le plus fragile). "
    "IFN : indice de fragilité numérique de La MedNum (1 = risque le plus faible, 10 = le plus élevé), "
    "moyenne pondérée par la population au-dessus de la commune. Les taux sont en %. "
    "« Concernés » : taux × population de référence, un ordre de grandeur et non un décompte."
)


def profile_pdf(profile: Profile, base, *, map_indicator: str = "ifn") -> bytes:
    """The 2-page A4 profile: title, map, key figures, summary; ladder, caveats, sources and method."""
    pdf = _new_pdf()
    today = dt.date.today().strftime("%d/%m/%Y")
    pdf.footer_text = (
        f"Atlas de l'inclusion numérique · {profile.nom} · données de la base du {profile.data_date} · édité le {today}"
    )
    pdf.add_page()
    # title
    pdf.set_fill_color(*_PURPLE)
    pdf.rect(0, 0, 210, 4, style="F")
    pdf.set_y(8)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*_PURPLE)
    pdf.cell(0, 5, "Profil statistique du territoire · inclusion numérique", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font("DejaVu", "B", 17)
    pdf.multi_cell(0, 8, profile.nom, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 4.5, _subtitle(profile), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)
    # map (left) and summary (right)
    top = pdf.get_y()
    map_id = map_indicator if map_indicator in profile.communes.columns or profile.level == "france" else "population"
    info = pdf.image(io.BytesIO(map_png(base, profile, map_id)), x=12, y=top, w=88, keep_aspect_ratio=True, h=100)
    pdf.set_xy(12, top + min(info.rendered_height, 100) + 1)
    pdf.set_font("DejaVu", "I", 6.5)
    pdf.set_text_color(70)
    citation = "" if map_id == COMPOSITE_ID else get_indicator(map_id).citation
    pdf.multi_cell(88, 3, f"Carte : {axis_title(map_id)} par commune. Source : {citation}.")
    bottom_left = pdf.get_y()
    pdf.set_text_color(0)
    pdf.set_xy(106, top)
    pdf.set_left_margin(106)
    _heading(pdf, "En résumé")
    for line in profile.summary:
        pdf.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    _heading(pdf, "Ce que les chiffres ne disent pas")
    pdf.set_font("DejaVu", "", 7.5)
    for line in profile.caveats:
        pdf.multi_cell(0, 3.6, f"• {line}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.set_left_margin(12)
    pdf.set_xy(12, max(bottom_left, pdf.get_y()) + 2)
    _heading(pdf, "Chiffres clés")
    _key_table(pdf, profile)
    pdf.set_font("DejaVu", "I", 6.5)
    pdf.multi_cell(
        0,
        3,
        "Pctl : percentile (100 = valeur la plus élevée parmi les territoires du même niveau). "
        "Sources détaillées en page 2.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    # page 2: ladder, sources and method
    pdf.add_page()
    _heading(pdf, "Comparaison : voisins, territoires comparables, département, région et France")
    pdf.image(io.BytesIO(ladder_png(profile)), x=12, w=186)
    pdf.ln(1)
    pdf.set_font("DejaVu", "I", 6.5)
    neighbours = profile.ladder.loc[profile.ladder["role"].isin(["voisin", "pair"])].drop_duplicates("code")
    names = "; ".join(f"{r.nom} ({r.role_label.lower()})" for r in neighbours.itertuples())
    if names:
        pdf.multi_cell(0, 3, f"Territoires de comparaison : {names}.", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Sources")
    pdf.set_font("DejaVu", "", 7)
    for line in _sources(profile):
        pdf.multi_cell(0, 3.3, f"• {line}", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Méthode")
    pdf.set_font("DejaVu", "", 7)
    pdf.multi_cell(0, 3.3, _METHOD, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(
        0,
        3.3,
        f"Données : base construite le {profile.data_date} à partir des millésimes indiqués ci-dessus. "
        f"Document édité le {today} par l'Atlas de l'inclusion numérique (logiciel libre).",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
