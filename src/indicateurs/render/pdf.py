"""The printable profile: a 2-page A4 PDF (fpdf2) with a static commune map and a ladder chart (matplotlib).

No browser is involved: matplotlib draws PNG images in memory (Agg, no pyplot state), fpdf2 lays
them out with a PDF core font (Helvetica, Latin-1: every French accent; œ and typographic signs are
spelled out by `latin1`), which keeps a profile well under a second. Shapes, hatching
and a single-hue palette keep the page legible when printed in grey.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from indicateurs.analysis.classify import classify
from indicateurs.analysis.profile import COMPOSITE_ID, Profile, display_value
from indicateurs.analysis.scores import peer_method
from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import Indicator, get_indicator, list_indicators, registry_of
from indicateurs.reference.text import format_number
from indicateurs.render.charts import axis_title, scale
from indicateurs.render.insets import inset_frames, with_insets

__all__ = ["LADDER_IDS", "ladder_png", "latin1", "map_png", "profile_pdf"]

# The IFN, the composite index and the indicators it averages (flag `composite` of the registry).
LADDER_IDS = ("ifn", COMPOSITE_ID, *(i.id for i in list_indicators() if i.composite))
_FONT = "helvetica"  # a PDF core font: nothing to parse or embed, so a page costs milliseconds
_LATIN1 = str.maketrans(
    {
        "\u202f": " ",
        "\u2009": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u2022": "-",
        "\u2019": "'",
        "\u2026": "...",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u2212": "-",
        "\u00b7": "\u00b7",
    }
)
_PURPLE = (91, 44, 131)
_MARKERS = {  # role -> (legend, marker, face, edge, size)
    "territoire": ("Territoire", "o", "black", "black", 60),
    "voisin": ("Voisins", "o", "white", "0.45", 24),
    "pair": ("Comparables", "s", "white", "0.45", 22),
    "epci": (TITLES["epci"], "v", "0.35", "0.35", 34),
    "departement": (TITLES["departement"], "s", "0.35", "0.35", 30),
    "region": (TITLES["region"], "^", "0.35", "0.35", 36),
    "france": (TITLES["france"], "D", "white", "black", 32),
}


def latin1(text: str) -> str:
    """Text the PDF core fonts can print: French accents kept, a few typographic signs spelled out."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _png(fig: Figure, dpi: int = 150, *, tight: bool = True) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None, facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------- map


def _map_layer(base, profile: Profile):
    """Geometries to draw and the values joined to them: communes, or a coarser level for France."""
    if profile.level == "france":  # départements, the overseas ones in insets beside metropolitan France
        return with_insets(base.geometry("departement")), base.wide("departement")
    geo = base.geometry("commune")
    geo = geo.loc[geo["code"].astype(str).isin(profile.communes.index)]
    return geo, profile.communes


def map_png(base, profile: Profile, indicator_id: str = "ifn", *, width_in: float = 4.2) -> bytes:
    """A static choropleth of the territory's communes for one indicator (PNG bytes).

    The classes and colours of the app's map (`analysis.classify`, quantiles; darker = more fragile,
    a sequential ramp that reads in grey); communes without a value are hatched and named in the
    legend as "donnée non disponible".
    """
    geo, values = _map_layer(base, profile)
    geo = geo.assign(code=geo["code"].astype(str))
    column = values[indicator_id] if indicator_id in values.columns else pd.Series(dtype=float)
    geo["v"] = geo["code"].map(pd.to_numeric(column, errors="coerce"))  # stored values: labels add units
    fig = Figure(figsize=(width_in, width_in))
    ax = fig.add_subplot()
    ax.set_axis_off()
    if geo.empty:
        ax.text(0.5, 0.5, "Géométrie non disponible", ha="center", va="center", transform=ax.transAxes)
        return _png(fig)
    handles = []
    faces = np.ones((len(geo), 4))  # white where no value
    classes = classify(geo["v"], "quantiles", indicator=indicator_id)
    index = classes.assign(geo["v"]).to_numpy()
    for i, (colour, label) in enumerate(zip(classes.colors, classes.labels, strict=True)):
        if (index == i).any():
            faces[index == i] = to_rgba(colour)
            handles.append(Patch(facecolor=colour, edgecolor="0.5", label=label))
    geo.plot(ax=ax, color=faces, edgecolor="white", linewidth=0.4)
    missing = geo.loc[geo["v"].isna()]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="none", edgecolor="0.45", hatch="////", linewidth=0.3)
        handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="////", label="donnée non disponible"))
    _outline(base, profile, geo).boundary.plot(ax=ax, color="black", linewidth=1.0)
    if profile.level == "france":  # a frame and a name for each overseas inset
        frames = inset_frames()
        frames.boundary.plot(ax=ax, color="0.35", linewidth=0.6)
        for nom, (x0, _y0, _x1, y1) in zip(frames["nom"], (f.bounds for f in frames.geometry), strict=True):
            ax.text(
                x0 + 0.08,
                y1 - 0.08,
                nom,
                fontsize=5,
                va="top",
                ha="left",
                color="0.1",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
    lat = float(np.mean(geo.total_bounds[[1, 3]]))
    ax.set_aspect(1 / max(math.cos(math.radians(lat)), 0.2))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        fontsize=7,
        frameon=False,
        title=axis_title(registry_of(profile).get(indicator_id)),
        title_fontsize=7.5,
    )
    return _png(fig)


def _outline(base, profile: Profile, geo):
    """The territory's own boundary (cheaper than dissolving its communes), or the dissolved communes."""
    try:
        own = base.geometry(profile.level)
    except (ValueError, KeyError):
        return geo.dissolve()
    own = own.loc[own["code"].astype(str) == profile.code]
    return own if not own.empty else geo.dissolve()


def _fmt(value: float, indicator_id: str) -> str:
    decimals = get_indicator(indicator_id).decimals
    return format_number(value, decimals)


# ---------------------------------------------------------------- ladder


def ladder_png(profile: Profile, indicator_ids=LADDER_IDS, *, width_in: float = 7.4) -> bytes:
    """One row per indicator, each on its own scale from the lowest to the highest comparison value.

    The territory is the large black dot; shapes (not colours) tell the comparison territories apart,
    so the chart reads in grey. Row labels carry the unit and the territory's value; row ends carry
    the minimum and maximum shown.
    """
    ladder = profile.ladder
    ids = [i for i in indicator_ids if ladder.loc[ladder["indicator"] == i, "value"].notna().any()]
    height = 0.42 * len(ids) + 0.55
    fig = Figure(figsize=(width_in, height))
    ax = fig.add_axes((0.36, 0.02, 0.56, 1 - 0.42 / height))
    ax.set_axis_off()
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(len(ids) - 0.5, -0.6)
    points: dict[str, list[tuple[float, float]]] = {role: [] for role in _MARKERS}
    for row, ind_id in enumerate(ids):
        rows = ladder.loc[(ladder["indicator"] == ind_id) & ladder["value"].notna()]
        values = rows["value"].astype(float) * scale(ind_id)
        low, high = float(values.min()), float(values.max())
        span = (high - low) or 1.0
        ax.hlines(row, 0, 1, color="0.8", linewidth=0.8, zorder=1)
        for role, value in zip(rows["role"], values, strict=True):
            points.setdefault(role, []).append(((value - low) / span if high > low else 0.5, row))
        own = ladder.loc[(ladder["indicator"] == ind_id) & (ladder["role"] == "territoire")]
        if "display" in own and len(own):  # « estimé » or the coverage of a thin value
            shown = str(own["display"].iloc[0]).replace("\u00a0", " ")
        else:
            shown = display_value(own["value"].iloc[0] if len(own) else np.nan, ind_id).replace("\u00a0", " ")
        fig.text(
            0.01, _y(ax, row), axis_title(profile.registry.get(ind_id)), fontsize=7, va="bottom", ha="left"
        )
        fig.text(0.01, _y(ax, row), shown, fontsize=7.5, va="top", ha="left", fontweight="bold")
        ax.text(-0.02, row, _fmt(low, ind_id), fontsize=6.5, ha="right", va="center", color="0.3")
        ax.text(1.02, row, _fmt(high, ind_id), fontsize=6.5, ha="left", va="center", color="0.3")
    handles = []
    for role, (label, marker, face, edge, size) in _MARKERS.items():
        if not points.get(role):
            continue
        xs, ys = zip(*points[role], strict=True)
        ax.scatter(
            xs,
            ys,
            marker=marker,
            s=size,
            facecolor=face,
            edgecolor=edge,
            linewidths=1.0,
            zorder=5 if role == "territoire" else 3,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="",
                markerfacecolor=face,
                markeredgecolor=edge,
                markersize=math.sqrt(size),
                label=label,
            )
        )
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=7, frameon=False)
    return _png(fig, dpi=130, tight=False)


def _y(ax, row: float) -> float:
    """Figure y coordinate of a data row (to place labels left of the axes)."""
    return ax.transData.transform((0, row))[1] / ax.figure.bbox.height


# ---------------------------------------------------------------- pdf


def _fit(png: bytes, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (mm) of an image scaled to fit a box, keeping its aspect ratio."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        w_px, h_px = image.size
    ratio = min(max_w / w_px, max_h / h_px)
    return w_px * ratio, h_px * ratio


def _new_pdf():
    from fpdf import FPDF

    class _ProfilePDF(FPDF):
        footer_text = ""

        def normalize_text(self, text):
            return super().normalize_text(latin1(text))

        def footer(self):
            self.set_y(-10)
            self.set_font(_FONT, "", 7)
            self.set_text_color(90)
            self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")

    pdf = _ProfilePDF(format="A4", unit="mm")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    return pdf


def _heading(pdf, text: str) -> None:
    pdf.ln(1.5)
    pdf.set_font(_FONT, "B", 10.5)
    pdf.set_text_color(*_PURPLE)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(_FONT, "", 8.5)


def _subtitle(profile: Profile) -> str:
    parts = [f"{TITLES[profile.level]} {profile.code}"] if profile.level != "france" else []
    for r in profile.parents.itertuples():
        if r.role != "france":
            parts.append(f"{TITLES[r.level]} : {r.nom}")
    if profile.level not in ("commune", "france"):
        parts.append(f"{profile.n_communes} communes")
    return " · ".join(parts)


def _pct(value) -> str:
    return f"{value:.0f}" if pd.notna(value) else "–"


_COLUMNS = (  # header, width (mm), alignment
    ("Indicateur", 61, "L"),
    ("Valeur", 28, "R"),
    ("Centile France", 20, "C"),
    ("Centile région", 20, "C"),
    ("Concernés (estim.)", 33, "R"),
    ("Millésime", 24, "L"),
)


def _key_table(pdf, profile: Profile) -> None:
    """Key figures as a zebra table of single-line cells (fast, and legible in grey)."""
    pdf.set_font(_FONT, "B", 7)
    pdf.set_fill_color(*_PURPLE)
    pdf.set_text_color(255)
    for header, width, align in _COLUMNS:
        pdf.cell(width, 5, header, align=align if align != "R" else "R", fill=True)
    pdf.ln(5)
    pdf.set_text_color(0)
    pdf.set_font(_FONT, "", 7)
    for n, r in enumerate(profile.key_figures.itertuples()):
        millesime = getattr(r, "millesime", None) or profile.millesime(r.indicator)
        cells = (
            _short_label(profile.registry.get(r.indicator)),
            r.display,
            _pct(r.national_pct),
            _pct(r.regional_pct),
            r.concerned_text.removeprefix("environ ") if r.concerned_text else "",
            millesime.split("(")[0].strip(),
        )
        pdf.set_fill_color(*((238, 238, 238) if n % 2 == 0 else (255, 255, 255)))
        for text, (_h, width, align) in zip(cells, _COLUMNS, strict=True):
            pdf.cell(width, 4.3, _fit_text(pdf, text, width - 1), align=align, fill=True)
        pdf.ln(4.3)
    pdf.set_draw_color(*_PURPLE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(c[1] for c in _COLUMNS), pdf.get_y())
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.ln(0.8)


def _fit_text(pdf, text: str, width: float) -> str:
    """`text` shortened with '...' so that it fits on one line of `width` mm."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _short_label(ind: Indicator) -> str:
    return ind.label if len(ind.label) <= 58 else ind.short


def _concerned_notes(profile: Profile) -> list[str]:
    """'Concernés (Peu diplômés, 65 ans et plus) : <how the count was estimated>', one line per note."""
    notes: dict[str, list[str]] = {}
    for ind_id, note in profile.key_figures["concerned_note"].items():
        if note:
            notes.setdefault(note, []).append(profile.registry.get(ind_id).short)
    return [f"Concernés ({', '.join(names)}) : {note}" for note, names in notes.items()]


def _sources(profile: Profile) -> list[str]:
    ids = set(profile.ladder["indicator"])
    lines: dict[str, list[str]] = {}
    for ind in profile.registry.list():
        if ind.id in ids:
            src = profile.source_entry(ind.id)  # the source the base's values carry
            key = f"{src.producer.split('(')[0].strip()}, {src.title} — {src.licence}"
            lines.setdefault(key, []).append(f"{ind.short} ({profile.millesime(ind.id)})")
    return [f"{source} : {', '.join(items)}." for source, items in lines.items()]


_METHOD = (
    "Centile France : position parmi les territoires du même niveau, orientée vers la fragilité "
    "(100 = le plus fragile de France, 0 = le moins fragile). Centile région : même calcul dans la région. "
    "Voisins : territoires limitrophes du même niveau ; territoires comparables : "
    f"{peer_method()}. Indice composite ouvert : moyenne des centiles "
    "des indicateurs marqués « composite » (0 = le moins fragile, 100 = le plus fragile). "
    "IFN : indice de fragilité numérique de La MedNum (1 = risque le plus faible, 10 = le plus élevé), "
    "moyenne pondérée par la population au-dessus de la commune. Les taux sont en %. "
    "« Concernés » : taux × population de référence, un ordre de grandeur et non un décompte."
)


def profile_pdf(profile: Profile, base, *, map_indicator: str = "ifn") -> bytes:
    """The 2-page A4 profile: title, map, key figures, summary; ladder, caveats, sources and method."""
    pdf = _new_pdf()
    today = dt.date.today().strftime("%d/%m/%Y")
    pdf.footer_text = f"Atlas de l'inclusion numérique · {profile.nom} · données de la base du {profile.data_date} · édité le {today}"
    pdf.add_page()
    # title
    pdf.set_fill_color(*_PURPLE)
    pdf.rect(0, 0, 210, 4, style="F")
    pdf.set_fill_color(255)
    pdf.set_y(8)
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(*_PURPLE)
    pdf.cell(0, 5, "Profil statistique du territoire · inclusion numérique", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(_FONT, "B", 17)
    pdf.multi_cell(0, 8, profile.nom, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 8.5)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 4.5, _subtitle(profile), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)
    # map (left) and summary (right)
    top = pdf.get_y()
    map_id = (
        map_indicator
        if map_indicator in profile.communes.columns or profile.level == "france"
        else "population"
    )
    png = map_png(base, profile, map_id)
    width, height = _fit(png, 88, 100)
    pdf.image(io.BytesIO(png), x=12 + (88 - width) / 2, y=top, w=width, h=height)
    pdf.set_xy(12, top + height + 1)
    pdf.set_font(_FONT, "", 6.5)
    pdf.set_text_color(70)
    citation = profile.citation(map_id)  # the vintage the base holds, not the registry's
    unit = "département (DROM en encadrés, échelles différentes)" if profile.level == "france" else "commune"
    pdf.multi_cell(
        88, 3, f"Carte : {axis_title(profile.registry.get(map_id))} par {unit}. Source : {citation}."
    )
    bottom_left = pdf.get_y()
    pdf.set_text_color(0)
    pdf.set_xy(106, top)
    pdf.set_left_margin(106)
    _heading(pdf, "En résumé")
    for line in profile.summary:
        pdf.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    _heading(pdf, "Ce que les chiffres ne disent pas")
    pdf.set_font(_FONT, "", 7.5)
    for line in profile.caveats:
        pdf.multi_cell(0, 3.6, f"- {line}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)
    pdf.set_left_margin(12)
    pdf.set_xy(12, max(bottom_left, pdf.get_y()) + 2)
    _heading(pdf, "Chiffres clés")
    _key_table(pdf, profile)
    pdf.set_font(_FONT, "", 6.5)
    pdf.multi_cell(
        0,
        3,
        "Centile : position de fragilité parmi les territoires du même niveau, en France ou dans la région "
        "(100 = le plus fragile ; pour la population et la densité, 100 = la valeur la plus élevée). "
        "Sources détaillées en page 2.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for line in _concerned_notes(profile):
        pdf.multi_cell(0, 3, line, new_x="LMARGIN", new_y="NEXT")
    # page 2: ladder, sources and method
    pdf.add_page()
    _heading(pdf, "Comparaison : voisins, territoires comparables, département, région et France")
    pdf.image(io.BytesIO(ladder_png(profile)), x=12, w=186)
    pdf.ln(1)
    pdf.set_font(_FONT, "", 6.5)
    pdf.multi_cell(
        0,
        3,
        "Chaque ligne va de la plus petite à la plus grande valeur parmi les territoires comparés "
        "(valeurs aux extrémités) ; l'échelle change d'une ligne à l'autre.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    neighbours = profile.ladder.loc[profile.ladder["role"].isin(["voisin", "pair"])].drop_duplicates("code")
    names = "; ".join(f"{r.nom} ({r.role_label.lower()})" for r in neighbours.itertuples())
    if names:
        pdf.multi_cell(0, 3, f"Territoires de comparaison : {names}.", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Sources")
    pdf.set_font(_FONT, "", 7)
    for line in _sources(profile):
        pdf.multi_cell(0, 3.3, f"- {line}", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Méthode")
    pdf.set_font(_FONT, "", 7)
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
