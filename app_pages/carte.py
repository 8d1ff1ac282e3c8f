"""Carte: any indicator on a map of France, a région, a département or an EPCI."""

import streamlit as st

from indicateurs.render import maps
from ui import cache, carte, data, state
from ui.safe import guarded, md

territory = state.current_territory()
st.title("Carte")
st.caption(f"Territoire choisi : **{state.territory_label(*territory)}**")

projector = state.projector_mode()


@st.fragment
@guarded
def map_panel() -> None:
    # On a projector the settings fold away so the map fills the wall.
    controls = st.expander("Réglages de la carte", expanded=False) if projector else st.container()
    scopes = data.scope_choices(*territory)
    scope_labels = {f"{s}:{a}": label for s, a, label in scopes}
    # One key whatever the territory (it names the URL parameter); choosing another territory brings
    # back that territory's default scope, as does a scope that does not contain it.
    state.url_choice("portee", scope_labels, next(iter(scope_labels)))
    chosen_for = st.session_state.get("_portee_territoire")
    if st.session_state.get("portee") not in scope_labels or chosen_for not in (None, territory):
        st.session_state["portee"] = next(iter(scope_labels))
    st.session_state["_portee_territoire"] = territory
    scope_key = controls.selectbox(
        "Étendue de la carte",
        options=list(scope_labels),
        format_func=scope_labels.__getitem__,
        key="portee",
    )
    state.keep_in_url("portee", scope_key, next(iter(scope_labels)))
    scope, area = scope_key.split(":", 1)
    level = data.SCOPES[scope][0]
    options = carte.indicator_options(level)
    wanted = st.query_params.get("indicateur")
    if "indicateur" not in st.session_state or st.session_state["indicateur"] not in options:
        if wanted and wanted not in options:
            st.warning(
                f"Indicateur inconnu ou non disponible à ce niveau : « {md(wanted)} ». "
                "Affichage de l'indice de fragilité numérique."
            )
        st.session_state["indicateur"] = wanted if wanted in options else carte.DEFAULT_INDICATOR
    left, middle, right = controls.columns([3, 2, 1], vertical_alignment="bottom")
    indicator_id = left.selectbox(
        "Indicateur", options=list(options), format_func=options.__getitem__, key="indicateur"
    )
    st.query_params["indicateur"] = indicator_id
    methods = carte.method_options(cache.base().indicator(indicator_id))
    default_method = carte.DEFAULT_METHOD
    state.url_choice("classement", methods, default_method)
    if st.session_state.get("classement") not in methods:
        st.session_state["classement"] = default_method
    method = middle.radio(
        "Classes", options=list(methods), format_func=methods.__getitem__, key="classement", horizontal=True
    )
    state.keep_in_url("classement", method, default_method)
    state.url_choice("voisins", (True, False), False, decode=lambda v: v == "1")
    neighbours = right.toggle("Voisins", key="voisins", help="Entoure les territoires limitrophes.")
    state.keep_in_url("voisins", neighbours, False, encode=lambda v: "1" if v else "0")

    view = carte.build_view(
        scope,
        area,
        indicator_id,
        method,
        territory,
        show_neighbours=neighbours,
        height=720 if projector else 600,
        projector=projector,
    )
    # On a projector the map takes the whole width and carries its legend (enlarged) inside it.
    map_col, legend_col = (st.container(), None) if projector else st.columns([3, 1])
    with map_col:
        carte.draw(view, key="carte", height=720 if projector else 600)
    if legend_col is not None:
        with legend_col:
            st.html(view.legend)
    st.caption(view.caption)

    st.subheader("Les valeurs de la carte")
    value_col = maps.value_column(view.indicator)
    # Up to 1,255 rows: a pandas Styler would be marshalled again on every rerun (0.1 s of server CPU
    # for France). The exact French figure is the "Valeur affichée" text column; the number columns
    # follow the browser's language (French on French devices) and keep sorting by value.
    st.dataframe(
        view.table,
        hide_index=True,
        width="stretch",
        key="tableau",
        column_config={
            "Code": st.column_config.TextColumn("Code"),
            value_col: st.column_config.NumberColumn(value_col, format="localized"),
            "Rang": st.column_config.NumberColumn("Rang", help="1 = le plus fragile", format="localized"),
        },
    )
    st.download_button(
        "Télécharger le tableau (CSV)",
        data=view.csv,
        file_name=f"{indicator_id}_{scope}_{area}.csv",
        mime="text/csv",
        key="telecharger_csv",
        on_click="ignore",
    )


map_panel()
