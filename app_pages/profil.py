"""Profil du territoire: key figures, comparison ladder, commune map, summary and downloads."""

from __future__ import annotations

import streamlit as st

from indicateurs.render.profile_files import profile_filename
from ui import cache, carte, profil
from ui.safe import guarded, md
from ui.state import current_territory, keep_in_url, url_choice


def metric(key, indicator_id: str) -> None:
    """One key figure with its source and millésime (and the people concerned for a rate)."""
    texts = profil.metric_texts(key, indicator_id)
    if texts is not None:
        st.metric(texts.label, texts.shown, help=texts.help)
        st.caption(texts.caption)


def metrics_row(key, ids) -> None:
    ids = [i for i in ids if i in key.index]
    for column, indicator_id in zip(st.columns(len(ids)), ids, strict=True):
        with column:
            metric(key, indicator_id)


def downloads(profile, level: str, code: str) -> None:
    """The three files of the profile, built only when clicked, named after the territory."""
    columns = st.columns(3)
    files = (
        ("PDF (2 pages A4)", "pdf", "application/pdf", profil.pdf),
        (
            "Tableur XLSX",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            profil.xlsx,
        ),
        ("CSV (Excel français)", "csv", "text/csv", profil.csv),
    )
    for column, (label, ext, mime, build) in zip(columns, files, strict=True):
        column.download_button(
            label,
            data=lambda build=build: build(level, code),
            file_name=profile_filename(profile, ext),
            mime=mime,
            key=f"profil_telecharger_{ext}",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption("Profil à emporter : fichiers créés au moment du clic, au nom du territoire.")


def indicator_choice(label: str, choices: list[str], key: str) -> str:
    """One indicator among `choices` (IFN first by default), kept in the URL; a choice the new
    territory does not have falls back to the default."""
    default = profil.default_indicator(choices)
    url_choice(key, choices, default)
    if st.session_state[key] not in choices:  # another territory, other indicators
        st.session_state[key] = default
    chosen = st.selectbox(label, choices, format_func=lambda i: cache.base().indicator(i).label, key=key)
    keep_in_url(key, chosen, default)
    return chosen


@st.fragment
@guarded
def commune_map(profile, level: str, code: str) -> None:
    """The territory's communes for one indicator, on the shared offline folium map of the Carte page."""
    st.subheader("Carte des communes")
    choices = profil.map_indicators(profile)
    shown = indicator_choice("Indicateur cartographié", choices, "profil_carte_indicateur")
    scope, area = profil.map_scope(profile)
    view = carte.build_view(scope, area, shown, carte.DEFAULT_METHOD, (level, code), height=480)
    left, right = st.columns([3, 1])
    with left:
        carte.draw(view, key="profil_carte", height=480)
    right.html(view.legend)
    st.caption(view.caption)


@st.fragment
@guarded
def ladder(profile, key, level: str, code: str) -> None:
    """The comparison ladder: its indicator reruns this part only, not the whole profile."""
    st.subheader("Comparaison avec des territoires proches")
    chosen = indicator_choice("Indicateur comparé", profile.indicator_ids(), "profil_indicateur")
    st.vega_lite_chart(profil.ladder(level, code, chosen), key="profil_echelle", width="stretch")
    if chosen in key.index:
        row = key.loc[chosen]
        where = [f"{row['national_pct']:.0f} en France"] if row["national_pct"] == row["national_pct"] else []
        if row["regional_pct"] == row["regional_pct"]:
            where.append(f"{row['regional_pct']:.0f} dans la région")
        reading = (  # a context figure (population, density) has no fragile side
            ("centile de fragilité", "100 = le plus fragile")
            if cache.base().indicator(chosen).direction
            else ("centile", "100 = la valeur la plus élevée")
        )
        note = f" ({reading[0]} : {', '.join(where)} ; {reading[1]})" if where else ""
        st.caption(f"{profile.nom} : {row['display']}{note}. Source : {row['citation']}.")
    else:
        st.caption(f"Source : {profile.citation(chosen)}.")


base = cache.ensure_base()
if base is None:
    st.warning("La base de données n'est pas encore construite : lancez « python -m indicateurs build ».")
    st.stop()

level, code = current_territory()
try:
    profile = profil.profile(level, code)
except ValueError as exc:
    st.warning(f"Profil impossible : {md(exc)}")
    st.stop()

title, subtitle = profil.heading(profile)
st.title(title)
st.caption(subtitle)
downloads(profile, level, code)
if profile.level == "france":
    st.info(
        "Choisissez une commune, un EPCI, un département ou une région dans la liste pour voir son profil."
    )

key = profile.key_figures
st.subheader("Chiffres clés")
for heading, ids in profil.key_figure_rows(key):
    if heading:
        st.markdown(heading)
    metrics_row(key, ids)

st.subheader("En résumé")
st.markdown("\n".join(f"- {line}" for line in profile.summary))
with st.container(border=True):
    st.markdown("**Ce que les chiffres ne disent pas**")
    st.markdown("\n".join(f"- {line}" for line in profile.caveats))

ladder(profile, key, level, code)

if profile.level != "france":
    commune_map(profile, level, code)
