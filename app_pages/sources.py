"""Sources et méthode: where every figure comes from, what each indicator means, how scores are made."""

import streamlit as st

from ui import cache, safe, sources, state

st.title("Sources et méthode")
st.markdown(
    "Chaque chiffre de l'Atlas vient d'une source publique ouverte. Cette page liste les sources, "
    "leur licence et leur millésime (l'année des données), les indicateurs calculés et la méthode des scores."
)
state.current_territory()  # also routes a first deep link through app.py
report = cache.base().report
built = sources.built_at_text(report)
if built:
    st.caption(f"Base de données construite le {built}.")
mixed = sources.mixed_base_text(report)
if mixed:
    st.warning(safe.md(mixed, limit=None))

st.header("Les sources")
st.dataframe(
    sources.sources_table(report),
    hide_index=True,
    width="stretch",
    key="table_sources",
    column_config={
        "Lien": st.column_config.LinkColumn("Lien", display_text="Ouvrir"),
        "Source": st.column_config.TextColumn("Source", width="medium"),
        "Licence": st.column_config.TextColumn("Licence", width="medium"),
    },
)

st.header("Les indicateurs")
st.markdown(
    "Les taux sont affichés en % ; chacun a son propre dénominateur (population, ménages, locaux, "
    "actifs, 15 ans ou plus…), indiqué dans la colonne « Dénominateur ». Au-dessus de la commune, les "
    "valeurs sont recalculées à partir des communes comme indiqué ci-dessous, avec la part de la "
    "population qu'elles couvrent. Sous la « couverture minimale », une valeur n'est pas affichée comme "
    "un chiffre ordinaire : elle est estimée (marquée « estimé ») ou signalée « non disponible : X % de "
    "la population couverte ». Une valeur absente dit pourquoi (secret statistique, non couvert par la "
    "source, non disponible), jamais remplacée par 0."
)
st.dataframe(
    sources.indicators_table(cache.base()),
    hide_index=True,
    width="stretch",
    key="table_indicateurs",
    column_config={"Définition": st.column_config.TextColumn("Définition", width="large")},
)

st.header("Lieux replacés ou écartés")
st.markdown(
    "La commune de chaque lieu est vérifiée d'après son code postal (et ses coordonnées, quand la "
    "source en donne) : corrigée quand le code postal désigne une seule commune, écartée sinon."
)
placement = sources.placement_table(report)
if placement.empty:
    st.caption("Aucun lieu corrigé ni écarté (ou base construite avant cette vérification).")
else:
    st.dataframe(placement, hide_index=True, width="stretch", key="table_placement")

st.header("La méthode des scores")
method = sources.method_markdown()
if method:
    st.markdown(method)
else:
    st.markdown(
        "L'indice de fragilité numérique (IFN) de La MedNum classe chaque commune de 1 (risque le plus "
        "faible) à 10 (risque le plus élevé) sur cinq critères : non-couverture en très haut débit et "
        "en 4G, taux de pauvreté, part des 65 ans et plus, part des personnes pas ou peu diplômées. "
        "Au-dessus de la commune, l'Atlas fait la moyenne pondérée par la population. "
        "**Limites** : l'indice estime un risque, pas un nombre de personnes exclues ; il n'est pas "
        "pondéré par la population au niveau communal ; les données datent de plusieurs années."
    )
