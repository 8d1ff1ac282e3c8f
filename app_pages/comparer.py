"""Page Comparer : comparer 2 à 12 territoires et présélectionner les EPCI d'une région."""

import streamlit as st

from indicateurs.analysis import compare
from indicateurs.errors import AtlasError
from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import headline_ids
from indicateurs.render.compare_charts import style_grid
from indicateurs.render.tables import safe_filename
from ui import cache, share
from ui import compare_data as data
from ui.safe import md
from ui.state import EXACT_PICK, current_territory, keep_in_url, url_choice

SEARCH_LEVELS = ("epci", "departement", "region", "commune", "france")  # the selector's order
CHART_DEFAULT = list(headline_ids()[:3])

st.title("Comparer des territoires")
st.caption(
    "Comparez de 2 à 12 territoires candidats, ou partez du classement des EPCI d'une région. "
    "Le lien de la page garde votre sélection : copiez-le pour la partager."
)

try:
    territories = data.territories()
except AtlasError as exc:  # the base is missing or unreadable: say so, no traceback
    st.error(f"La base de données n'est pas disponible : {md(exc)}")
    st.info("Construisez-la avec « python -m indicateurs build » puis rechargez la page.")
    st.stop()

names = data.names()
home_level, home_code = current_territory()  # the territory chosen in the sidebar
home = territories[(territories["level"] == home_level) & (territories["code"] == home_code)]
home_region = (
    str(home["region"].iloc[0]) if len(home) and "region" in home and home["region"].notna().iloc[0] else None
)
if home_level == "region":
    home_region = home_code
# ---------------------------------------------------------------- selection kept in the URL
# A shared link wins; otherwise the selection made before visiting another page comes back.
if "cmp_selection" not in st.session_state:
    from_url = compare.parse_selection(st.query_params.get("selection"), territories)
    if from_url.keys or from_url.rejected:
        st.session_state["cmp_selection"] = from_url.keys
        st.session_state["cmp_url"] = (from_url.keys, from_url.rejected)
    else:  # otherwise the comparison starts from the territory chosen in the sidebar
        start = [] if home_level == "france" else [compare.territory_key(home_level, home_code)]
        st.session_state["cmp_selection"] = st.session_state.get("cmp_saved", start)


def take_shortlist(codes: list[str]) -> None:
    st.session_state["cmp_selection"] = [compare.territory_key("epci", c) for c in codes]


tab_compare, tab_screen = st.tabs(["Comparer", "Présélectionner les EPCI d'une région"])

# ---------------------------------------------------------------- screening (computed first: it feeds the selection)
with tab_screen:
    st.subheader("Présélection : classement des EPCI selon vos critères")
    regions = data.of_level("region").sort_values("nom")
    region_names = dict(zip(regions["code"], regions["nom"], strict=True))
    c1, c2, c3 = st.columns(3)
    default_region = next(
        (r for r in (home_region, compare.DEFAULT_REGION) if r in region_names), next(iter(region_names))
    )
    url_choice("cmp_region", region_names, default_region)
    region = c1.selectbox("Région", list(region_names), format_func=region_names.get, key="cmp_region")
    keep_in_url("cmp_region", region, default_region)
    deps = data.of_level("departement")
    deps = deps[deps["region"] == region].sort_values("code")
    dep_names = dict(zip(deps["code"], deps["nom"], strict=True))
    url_choice("cmp_departements", dep_names, [], many=True)
    if not set(st.session_state["cmp_departements"]) <= set(dep_names):  # another région
        st.session_state["cmp_departements"] = []
    departements = c2.multiselect(
        "Départements (tous si vide)",
        list(dep_names),
        format_func=lambda c: f"{dep_names[c]} ({c})",
        key="cmp_departements",
        placeholder="Tous les départements",
        **EXACT_PICK,
    )
    keep_in_url("cmp_departements", departements, [])
    url_choice("cmp_natures", compare.NATURE_LABELS, [], many=True)
    natures = c3.multiselect(
        "Nature de l'EPCI (toutes si vide)",
        list(compare.NATURE_LABELS),
        format_func=compare.NATURE_LABELS.get,
        key="cmp_natures",
        placeholder="Toutes les natures",
        **EXACT_PICK,
    )
    keep_in_url("cmp_natures", natures, [])
    all_sizes = (compare.POPULATION_STEPS[0], compare.POPULATION_STEPS[-1])
    # A range slider needs its value= (a tuple given through the session reads back as one step), so
    # the URL's range is read once into a helper key rather than into the widget's own.
    url_choice(
        "_cmp_population_url",
        compare.POPULATION_STEPS,
        list(all_sizes),
        decode=int,
        many=True,
        param="cmp_population",
    )
    initial = st.session_state["_cmp_population_url"]
    population = st.select_slider(
        "Population (habitants)",
        options=compare.POPULATION_STEPS,
        value=tuple(initial) if len(initial) == 2 else all_sizes,
        format_func=compare.population_step_label,
        key="cmp_population",
    )
    keep_in_url("cmp_population", list(population), list(all_sizes))
    with st.expander("Vos pondérations (0 = critère ignoré)", expanded=True):
        st.caption(
            "Chaque critère est converti en centile national parmi les EPCI (100 = le plus fragile ou "
            "le moins bien doté), puis pondéré. Rang 1 = territoire prioritaire."
        )
        epci_columns = set(cache.wide("epci").columns)
        criteria = [i for i in compare.CRITERIA if i in epci_columns]
        weight_cols = st.columns(4)
        weights = {}
        for n, ind in enumerate(criteria):
            default_weight = float(compare.DEFAULT_WEIGHTS.get(ind, 0.0))
            url_choice(
                f"cmp_w_{ind}", lambda w: 0 <= w <= 5 and w * 2 == int(w * 2), default_weight, decode=float
            )
            weights[ind] = weight_cols[n % 4].slider(
                cache.base().indicator(ind).short,
                0.0,
                5.0,
                step=0.5,
                format="%.1f",
                key=f"cmp_w_{ind}",
                help=cache.base().indicator(ind).label,
            )
            keep_in_url(f"cmp_w_{ind}", weights[ind], default_weight, encode=lambda w: f"{w:g}")
        absent = [cache.base().indicator(i).short for i in compare.CRITERIA if i not in epci_columns]
        if absent:
            st.caption(f"Critères pas encore disponibles dans la base : {' ; '.join(absent)}")
    weights = {k: v for k, v in weights.items() if v > 0}
    if not weights:
        st.info("Tous les poids sont à 0 : le classement suit l'indice composite par défaut.")
    screen_key = (
        region,
        tuple(departements),
        tuple(natures),
        compare.population_bounds(population),
        tuple(weights.items()),
    )
    screen = data.screening(*screen_key)
    search = st.text_input("Rechercher un EPCI dans le tableau", key="cmp_search", placeholder="ex. Sèvre")
    shown = compare.search_rows(screen, search)
    st.write(f"**{len(shown)} EPCI** affichés ({region_names[region]}).")
    event = st.dataframe(
        cache.built(  # French headers and labels, once per screening and search (read-only)
            "comparer:ecran_affiche", (screen_key, search), lambda: compare.screening_display(shown)
        ),
        hide_index=True,
        key="cmp_screen_table",
        on_select="rerun",
        selection_mode="multi-row",
        height=38 + 35 * min(15, len(shown)),
        column_config={
            "Population": st.column_config.NumberColumn(format="localized"),
            "IFN (1 à 10)": st.column_config.NumberColumn(format="localized"),
            "Indice composite": st.column_config.ProgressColumn(
                format="%.0f", min_value=0, max_value=100, help="Indice composite par défaut (0 à 100)"
            ),
            "Lieux / 10 000 hab.": st.column_config.NumberColumn(format="localized"),
            "Score pondéré": st.column_config.ProgressColumn(
                format="%.0f",
                min_value=0,
                max_value=100,
                help="Vos pondérations (0 à 100, 100 = prioritaire)",
            ),
            "Rang": st.column_config.NumberColumn(
                help="Rang parmi les EPCI du tableau (1 = à inviter en premier)"
            ),
            "Rang national": st.column_config.NumberColumn(
                help="Rang du même score parmi tous les EPCI de France (1 = le plus fragile)"
            ),
            "Stabilité du rang national": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Case vide : donnée non disponible (secret statistique). « Rang » : place parmi les EPCI du "
        "tableau ; « Rang national » : place du même score parmi tous les EPCI de France. Stabilité du "
        "rang national : comment ce rang national bouge si l'on change les pondérations (tirages au "
        f"hasard) ou si l'on retire un critère ; calculée pour les {compare.ROBUSTNESS_TOP} premiers du "
        "tableau. "
        + " · ".join(
            cache.built(
                "comparer:sources_ecran",
                tuple(weights),
                lambda: compare.sources_lines(
                    cited := [
                        i for i in ["population", "ifn", "lieux_pour_10000", *weights] if i in epci_columns
                    ],
                    [cache.base().citation(i, "epci") for i in cited],  # the vintages the base holds
                    cache.base().registry,
                ),
            )
        )
    )
    ticked = shown["code"].iloc[[r for r in event.selection.rows if r < len(shown)]].tolist()
    s1, s2, s3 = st.columns([2, 1, 1])
    top_n = s1.number_input("Nombre d'EPCI à comparer", 2, 12, 5, key="cmp_top_n")
    s1.button(
        f"Comparer les {top_n} premiers du classement",
        key="cmp_take",
        on_click=take_shortlist,
        args=(shown["code"].head(int(top_n)).tolist(),),
        disabled=len(shown) < 2,
    )
    s1.button(
        f"Comparer les {len(ticked)} EPCI cochés"
        if ticked
        else "Cochez des lignes du tableau pour les comparer",
        key="cmp_take_ticked",
        on_click=take_shortlist,
        args=(ticked,),
        disabled=not compare.MIN_TERRITORIES <= len(ticked) <= compare.MAX_TERRITORIES,
        help="Cochez de 2 à 12 lignes (case à gauche de chaque ligne).",
    )
    # The files are written when clicked, not on every rerun (an XLSX costs 0.1 to 0.2 s).
    name = safe_filename(f"preselection {region_names[region]}")
    s2.download_button(
        "Présélection (XLSX)",
        lambda: data.screening_files(screen, weights)[1],
        f"{name}.xlsx",
        key="cmp_dl_screen_xlsx",
        on_click="ignore",
    )
    s3.download_button(
        "Présélection (CSV)",
        lambda: data.screening_files(screen, weights)[0],
        f"{name}.csv",
        key="cmp_dl_screen_csv",
        on_click="ignore",
    )

# ---------------------------------------------------------------- comparison
with tab_compare:
    url_keys, rejected = st.session_state.get("cmp_url", ([], []))
    if rejected and st.session_state["cmp_selection"] == url_keys:
        st.warning("Territoires du lien non reconnus, ignorés : " + ", ".join(md(r) for r in rejected) + ".")
    default_level = home_level if home_level in SEARCH_LEVELS and home_level != "france" else "epci"
    url_choice("cmp_level", SEARCH_LEVELS, default_level)
    level = (
        st.segmented_control("Chercher parmi", list(SEARCH_LEVELS), format_func=TITLES.get, key="cmp_level")
        or "epci"
    )
    keep_in_url("cmp_level", level, default_level)
    dep = None
    if level == "commune":
        dep_all = data.of_level("departement").sort_values("code")
        dep_codes = dep_all["code"].tolist()
        home_dep = str(home["departement"].iloc[0]) if len(home) and "departement" in home else ""
        default_dep = home_dep if home_dep in dep_codes else dep_codes[0]
        url_choice("cmp_commune_dep", dep_codes, default_dep)
        dep = st.selectbox(
            "Département des communes",
            dep_codes,
            format_func=lambda c: f"{names[('departement', c)]} ({c})",
            key="cmp_commune_dep",
        )
        keep_in_url("cmp_commune_dep", dep, default_dep)
    options = list(dict.fromkeys([*st.session_state["cmp_selection"], *data.pool_keys(level, dep)]))
    labels = data.labels(tuple(options))
    selection = st.multiselect(
        "Territoires à comparer (2 à 12) : tapez un nom ou un code",
        options,
        format_func=labels.get,
        key="cmp_selection",
        placeholder="ex. Haut Val de Sèvre",
        **EXACT_PICK,
    )
    st.session_state["cmp_saved"] = selection
    if selection:
        st.query_params["selection"] = compare.format_selection(selection)
    elif "selection" in st.query_params:
        del st.query_params["selection"]

    try:
        compare.check_selection(selection)
    except compare.SelectionError as err:
        st.info(md(err))
        st.stop()

    st.caption("Lien à partager (il rouvre cette comparaison) :")
    link = share.reachable_url(compare.share_link(st.context.url, selection))
    st.code(link.url, language=None)
    if link.warning:
        st.warning(md(link.warning, limit=None))
    table = data.comparison(tuple(selection))
    url_choice("cmp_show", ("valeur", "centile"), "valeur")
    show = (
        st.segmented_control(
            "Afficher dans les cases",
            ["valeur", "centile"],
            format_func={
                "valeur": "Valeur et écart à la médiane du groupe",
                "centile": "Centile national",
            }.get,
            key="cmp_show",
        )
        or "valeur"
    )
    keep_in_url("cmp_show", show, "valeur")
    grid, pct = data.side_by_side(tuple(selection), show)
    styled = cache.built(  # the Styler's colours and texts computed once per selection and display
        "comparer:grille_stylee", (tuple(selection), show), lambda: cache.frozen_styler(style_grid(grid, pct))
    )
    st.dataframe(styled, key="cmp_grid", height=38 + 35 * len(grid))
    st.caption(
        "▲ au-dessus de la médiane du groupe comparé, ▼ en dessous, « = » égal. Fond : plus la case est "
        "foncée, plus la valeur est haute parmi les territoires de même niveau en France (centile national). "
        "« Sens de lecture » dit si une valeur haute signale plus ou moins de fragilité."
    )
    with st.expander("Tableau détaillé : valeur, centile national et écart à la médiane, avec la source"):
        st.dataframe(
            compare.detail_table(table),
            hide_index=True,
            column_config={
                "Centile national": st.column_config.ProgressColumn(
                    format="%.0f",
                    min_value=0,
                    max_value=100,
                    help="Part des territoires de même niveau en France ayant une valeur plus basse",
                )
            },
        )
        st.caption(
            "Centile vide : donnée non disponible (secret statistique ou indicateur non publié à ce niveau)."
        )
    with st.expander("Sources et millésimes des indicateurs affichés"):
        for line in cache.built(
            "comparer:sources",
            tuple(selection),
            lambda: compare.sources_lines(table["indicator"], table["source"], cache.base().registry),
        ):
            st.markdown(f"- {line}")

    d1, d2, _ = st.columns([1, 1, 3])
    csv_cmp, xlsx_cmp = data.comparison_files(tuple(selection))
    d1.download_button(
        "Comparaison (XLSX)", xlsx_cmp, "comparaison-territoires.xlsx", key="cmp_dl_xlsx", on_click="ignore"
    )
    d2.download_button(
        "Comparaison (CSV)", csv_cmp, "comparaison-territoires.csv", key="cmp_dl_csv", on_click="ignore"
    )

    st.subheader("Graphiques")
    available = [i.id for i in cache.base().registry.list() if i.id in set(table["indicator"])]
    chart_default = [i for i in CHART_DEFAULT if i in available]
    url_choice("cmp_chart_indicators", available, chart_default, many=True)
    charted = st.multiselect(
        "Indicateurs à représenter",
        available,
        format_func=lambda i: cache.base().indicator(i).label,
        key="cmp_chart_indicators",
        **EXACT_PICK,
    )
    keep_in_url("cmp_chart_indicators", charted, chart_default)
    for ind in charted:
        st.vega_lite_chart(data.bar_chart(tuple(selection), ind), key=f"cmp_chart_{ind}", width="stretch")
        cited = " ; ".join(
            dict.fromkeys(table.loc[table["indicator"] == ind, "source"])
        )  # the base's vintage
        st.caption(
            f"Source : {cited or cache.base().indicator(ind).citation}. Niveau : celui de chaque territoire."
        )
    profile_default = [i for i in compare.PROFILE_DEFAULT if i in available]
    url_choice("cmp_profile_indicators", available, profile_default, many=True)
    profile = st.multiselect(
        "Indicateurs du profil de fragilité",
        available,
        format_func=lambda i: cache.base().indicator(i).short,
        key="cmp_profile_indicators",
        **EXACT_PICK,
    )
    keep_in_url("cmp_profile_indicators", profile, profile_default)
    if len(profile) >= 3:
        st.vega_lite_chart(
            data.profile_chart(tuple(selection), tuple(profile)), key="cmp_profile", width="stretch"
        )
        st.caption(
            "Centile national de fragilité, parmi les territoires de même niveau en France : vers "
            "l'extérieur = plus fragile (100 = le plus fragile). Pour les indicateurs où une valeur haute "
            "est favorable (couverture THD, revenu, lieux), l'axe est retourné : 100 = la valeur la plus "
            "basse de France."
        )
    else:
        st.info("Choisissez au moins 3 indicateurs pour tracer le profil.")
