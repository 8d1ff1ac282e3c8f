"""Page Ressources : où est l'offre d'accompagnement, où elle manque au regard du besoin, et les lieux
que le territoire ajoute lui-même."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicateurs.analysis import offer
from indicateurs.atelier.local_places import (
    COLUMNS_DOC,
    LOCATION_RULE,
    MAX_BYTES,
    MAX_ROWS,
    TYPE_LABELS,
    template_csv,
    validate_local_place,
    validate_local_places,
)
from indicateurs.reference.levels import NAMES, parents
from indicateurs.reference.text import THIN, format_number, format_percent
from indicateurs.render import places_map as view
from indicateurs.render.tables import french_style
from indicateurs.sources.places import DRAWN_TYPES, PLACE_TYPES
from ui import cache, folium_frames
from ui import ressources as data
from ui.safe import guarded, md
from ui.state import current_territory, keep_in_url, projector_mode, url_choice

UPLOAD_CEILING_MB = 20  # = server.maxUploadSize in .streamlit/config.toml


@st.fragment
@guarded
def need_and_supply(level: str, code: str, need_id: str) -> None:
    """The need/supply scatter: its "Points" choice reruns this part only, not the whole page."""
    need = cache.base().indicator(need_id)
    url_choice("ressources_points", ("epci", "commune"), "epci")
    points = st.segmented_control(
        "Points",
        options=["epci", "commune"],
        format_func={"epci": "EPCI", "commune": "Communes du territoire"}.get,
        key="ressources_points",
    )
    keep_in_url("ressources_points", points or "epci", "epci")
    points_caption, frame, figure = data.need_supply(level, code, points or "epci", need_id)
    st.caption(points_caption)
    st.vega_lite_chart(figure, key="ressources_nuage", width="stretch")
    missing = frame.attrs.get("sans_donnee", 0)
    st.caption(
        f"Lignes pointillées : médianes des territoires affichés. Besoin : {cache.base().citation(need.id)}. Offre : lieux "
        f"(France Services, permanences, {WORDS.mediation_words}, structures Aidants Connect) pour 10 000 habitants. "
        + (
            f"{missing} territoire(s) non placé(s) : donnée non disponible (secret statistique)."
            if missing
            else ""
        )
    )


st.title("Ressources : l'offre d'accompagnement au numérique")
level, code = current_territory()
base = cache.base()
WORDS = data.offer_words()  # the sources the base's places come from, duplicates merged or not
SOURCES_CAPTION = WORDS.caption
# the populations' vintage the base holds (pinned: its usual words)
POPULATION = (
    "INSEE, populations légales 2023" if base.mode == "figes" else f"INSEE, {base.millesime('population')}"
)
territory = data.territory(level, code)
st.subheader(f"{territory['nom']} ({NAMES[level]})")

codes, highlight = data.scope(level, code)
local = data.local_places(level, code)
wide_communes = cache.wide("commune")
needs = offer.need_indicators(wide_communes.columns, base.registry.list())
url_choice("ressources_besoin", needs, next(iter(needs)))
need_id = st.selectbox(
    "Indicateur de besoin (couleur des communes)",
    options=list(needs),
    format_func=needs.__getitem__,
    key="ressources_besoin",
    help="Plus la couleur est foncée, plus la commune est fragile selon cet indicateur.",
)
keep_in_url("ressources_besoin", need_id, next(iter(needs)))
need = cache.base().indicator(need_id)

# ---------------------------------------------------------------------------------------- the map
st.header("Carte des lieux")
if not codes:
    st.info(
        "Choisissez un EPCI, un département ou une commune dans la liste à gauche pour voir la carte des lieux "
        "et les distances. Les comparaisons ci-dessous restent disponibles."
    )
else:
    height = 720 if projector_mode() else 600
    folium_frames.show(
        data.map_frame(level, code, need_id, local, height, large=projector_mode()),
        None,
        key="ressources_carte",
        height=height,
    )
    for notice in filter(None, (view.partial_notice(t, WORDS) for t in DRAWN_TYPES)):
        st.warning(md(notice, limit=None), icon=":material/warning:")
    st.caption(
        f"{SOURCES_CAPTION} Niveau : commune. Couleur des communes : {cache.base().citation(need.id, 'commune')}. Les structures Aidants Connect sont placées au "
        "centre de leur commune (adresse non géocodée). Les bus France Services ne sont pas dessinés."
    )

# ----------------------------------------------------------------------------------- comparisons
st.header("Offre comparée")
chain = [(level, code), *((lv, territory.get(lv)) for lv in parents(level))]
chain = [(lv, c) for lv, c in chain if isinstance(c, str) and lv != "france"] + [("france", "FR")]
rows = [
    (f"{data.territory(lv, c)['nom']} ({'pays' if lv == 'france' else NAMES[lv]})", cache.wide(lv).loc[c])
    for lv, c in chain
]
url_choice("ressources_mesure", offer.MEASURES, "nombre")
measure = st.segmented_control(
    "Mesure",
    options=list(offer.MEASURES),
    format_func=offer.MEASURES.__getitem__,
    key="ressources_mesure",
)
keep_in_url("ressources_mesure", measure or "nombre", "nombre")
st.dataframe(  # built and styled once per territory and measure (`cache.frozen_styler`)
    cache.built(
        "ressources:offre_stylee",
        (level, code, measure or "nombre"),
        lambda: cache.frozen_styler(
            offer.offer_comparison(rows, measure or "nombre", WORDS).style.format(
                precision=0 if measure == "nombre" else 1,
                thousands=THIN,
                decimal=",",
                na_rep="donnée non disponible",
            )
        ),
    ),
    width="stretch",
)
st.caption(
    f"{SOURCES_CAPTION} Population : {POPULATION}. Niveaux : territoire choisi, "
    "département, région et France, chacun égal à la somme de ses communes."
)
if measure == "pour_1000_concernes":
    st.caption(
        offer.CONCERNED_NOTE
        if base.mode == "figes"
        else offer.concerned_note(base.millesime("part_peu_diplomes"))
    )
if codes:
    st.subheader("Lieux par commune")
    counts_styled = cache.built(
        "ressources:communes_stylees",
        (level, code),
        lambda: cache.frozen_styler(french_style(data.commune_counts(level, code))),
    )
    st.dataframe(counts_styled, width="stretch", hide_index=True)
    st.caption(f"{SOURCES_CAPTION} Population : {POPULATION}. Niveau : commune.")

# ----------------------------------------------------------------------------------------- access
if codes:
    st.header("Accès : distance au lieu le plus proche")
    summary, access = data.access(level, code, local)
    cols = st.columns(len(summary))
    for col, row in zip(cols, summary.to_dict("records"), strict=True):
        share = row["Part de la population"]
        share_text = "" if pd.isna(share) else f" ({format_percent(share)})"
        col.metric(
            f"Habitants à {row['Distance à tout lieu']} de tout lieu",
            format_number(row["Population"]) + share_text,
            help=f"{row['Communes']} commune(s) concernée(s) : « zones blanches de médiation ».",
        )
    st.dataframe(data.access_styled(level, code, local), width="stretch", hide_index=True)
    st.caption(
        "Distance à vol d'oiseau (km) depuis un point intérieur de chaque commune (point représentatif ; "
        "aucun point pondéré par la population n'est disponible dans les sources), en projection Lambert-93 "
        "(métropole) ou locale (outre-mer). Lieux : France Services fixes, permanences de conseillers "
        f"numériques, {WORDS.mediation_words}, structures Aidants Connect et lieux ajoutés localement. "
        + SOURCES_CAPTION
    )

# ------------------------------------------------------------------------------- need vs supply
st.header("Besoin et offre")
need_and_supply(level, code, need_id)

# -------------------------------------------------------------------------------- local additions
st.header("Ajouter des lieux que les fichiers nationaux oublient")
if not data.storage_is_persistent():
    st.warning(
        "Stockage de l'atelier indisponible : les lieux ajoutés ne sont gardés que pendant cette session."
    )
if message := st.session_state.pop("ressources_message", None):
    kind, text = message
    if kind == "success":
        st.success(text)
    else:
        st.info(text)
if len(local):
    st.write(
        f"{len(local)} lieu(x) ajouté(s) localement pour ce territoire (marqués d'une étoile sur la carte)."
    )
    # A static table: st.dataframe's toolbar would offer a raw CSV of what participants typed
    # (=HYPERLINK(…) included), without the formula neutralisation of the app's own downloads.
    st.table(
        french_style(
            local[["nom", "type", "adresse", "code_commune", "latitude", "longitude"]]
            .assign(type=lambda d: d["type"].map(PLACE_TYPES), statut="ajouté localement")
            .set_index("nom"),
            {"latitude": 5, "longitude": 5},
            missing="",
        )
    )
st.markdown("**Colonnes du fichier CSV** (séparateur point-virgule ou virgule, encodage UTF-8 ou Windows) :")
st.table(pd.DataFrame(COLUMNS_DOC, columns=["Colonne", "Statut", "Contenu"]).set_index("Colonne"))
st.caption(LOCATION_RULE)
st.download_button(
    "Télécharger le modèle CSV",
    data=template_csv(),
    file_name="modele_lieux_locaux.csv",
    mime="text/csv",
    key="ressources_modele",
    on_click="ignore",
)
known = data.known_communes()
upload_key = f"ressources_fichier_{st.session_state.get('ressources_depots', 0)}"  # new key = emptied widget
# The browser refuses files over UPLOAD_CEILING_MB with an English message we cannot translate: the
# ceiling sits well above the real limit (MAX_BYTES), which validate_local_places explains in French.
st.caption(
    f"Fichier CSV ou TXT de {MAX_BYTES // 1_000_000} Mo au plus. Le cadre de dépôt ci-dessous est dessiné par "
    "le navigateur en anglais : « Drag and drop file here » veut dire « glissez le fichier ici », « Browse "
    "files » ouvre l'explorateur de fichiers."
)
upload = st.file_uploader(
    "Déposer un fichier CSV de lieux",
    type=["csv", "txt"],
    key=upload_key,
    max_upload_size=UPLOAD_CEILING_MB,
    help=f"Fichier CSV de {MAX_BYTES // 1_000_000} Mo au plus (environ {MAX_ROWS} lieux).",
)
if upload is not None:
    records, errors = validate_local_places(upload.getvalue(), known_codes=known)
    if errors and errors[0].line is None:
        st.error(md(errors[0].reason))
    else:
        if errors:
            st.error(f"{len(errors)} ligne(s) refusée(s) ; les autres lignes peuvent être enregistrées.")
            st.dataframe(
                pd.DataFrame(errors, columns=["Ligne", "Problème"]),
                hide_index=True,
                width="stretch",
            )
        st.write(f"{len(records)} lieu(x) valide(s) dans le fichier.")
        if records and st.button("Enregistrer les lieux valides", key="ressources_enregistrer"):
            added, skipped = data.save_local_places(records, [r.get("ligne") for r in records], level, code)
            text = f"{added} lieu(x) enregistré(s) ; rien de ce qui était déjà enregistré n'est perdu."
            st.session_state["ressources_message"] = (
                "success" if added else "info",
                " ".join([text, *(md(data.describe_problem(p)) for p in skipped)]),
            )
            st.session_state["ressources_depots"] = st.session_state.get("ressources_depots", 0) + 1
            st.rerun()

with st.form("ressources_formulaire", clear_on_submit=True):
    st.markdown("**Ou saisir un lieu**")
    left, right = st.columns(2)
    nom = left.text_input("Nom du lieu", key="ressources_form_nom")
    type_ = right.selectbox(  # no default: a default type made every added place a France Services
        "Type",
        options=list(TYPE_LABELS),
        format_func=TYPE_LABELS.__getitem__,
        key="ressources_form_type",
        index=None,
        placeholder="Choisir le type de lieu",
    )
    adresse = left.text_input("Adresse", key="ressources_form_adresse")
    code_commune = right.text_input("Code commune INSEE", key="ressources_form_code")
    services = left.text_input("Services (facultatif)", key="ressources_form_services")
    horaires = right.text_input("Horaires (facultatif)", key="ressources_form_horaires")
    submitted = st.form_submit_button("Ajouter ce lieu")
if submitted:
    fields = {
        "nom": nom,
        "type": type_,
        "adresse": adresse,
        "code_commune": code_commune,
        "services": services,
        "horaires": horaires,
    }
    record, problems = validate_local_place(fields, known_codes=known)
    if record is None:
        st.error("Lieu non enregistré : " + " ; ".join(md(p) for p in problems) + ".")
    else:
        added, skipped = data.save_local_places([record], [None], level, code)
        st.session_state["ressources_message"] = (
            (
                "success",
                f"« {md(record['nom'])} » enregistré."
                if data.storage_is_persistent()
                else f"« {md(record['nom'])} » gardé pour cette session seulement (stockage indisponible).",
            )
            if added
            else ("info", " ".join(md(data.describe_problem(p)) for p in skipped))
        )
        st.rerun()
