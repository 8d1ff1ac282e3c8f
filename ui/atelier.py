"""App side of the Atelier page: cached store and base, territory, and the widgets that show enjeux.

Everything participants typed goes through `escape_markdown` before st.markdown (never unsafe HTML).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from indicateurs.atelier import (
    CATEGORIES,
    HORIZONS,
    SENS,
    AccessDenied,
    EditConflict,
    Enjeu,
    Store,
    StoreUnavailable,
    check_pin,
    describe_evidence,
    escape_markdown,
    open_store,
)
from indicateurs.reference.registry import list_indicators
from ui.safe import guarded, md

__all__ = [
    "author_key",
    "base_or_none",
    "category_counts_frame",
    "chantier_form",
    "chantier_list",
    "communes_of",
    "current_territory",
    "enjeu_form",
    "enjeu_list",
    "export_buttons",
    "facilitator_pin",
    "feuille_de_route",
    "flash",
    "get_store",
    "gouvernance_form",
    "indicator_options",
    "join_url",
    "pin_gate",
    "place_names",
    "projector_view",
    "render_enjeu",
    "run_action",
    "show_flash",
    "territory_name",
    "workshop_picker",
]

_PARIS = ZoneInfo("Europe/Paris")
DEFAULT_TERRITORY = ("epci", "200041523")
_MAX_PIN_FAILURES = 5
_LOCKOUT_SECONDS = 300


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return open_store()


def get_store() -> Store:
    """The shared store (one per process); StoreUnavailable is not cached, so the next run retries."""
    return _store()


@st.cache_resource(show_spinner=False)
def _base():
    from indicateurs.base import load_base

    return load_base()


def base_or_none():
    """The built base, or None while it is not built (the page then works without figures).

    Uses the app's shared cached base (`ui.data.base`) when present, so the base is held once.
    """
    try:
        from ui.data import base as shared
    except ImportError:
        shared = _base
    try:
        return shared()
    except Exception:  # BaseMissingError, BaseCorruptError: the page says so and goes on
        return None


def current_territory() -> tuple[str, str]:
    """The territory chosen in the sidebar (shared selector when available)."""
    try:
        from ui.state import current_territory as shared
    except ImportError:
        return tuple(st.session_state.get("territoire", DEFAULT_TERRITORY))  # type: ignore[return-value]
    return shared()


def territory_name(base, level: str, code: str) -> str:
    if base is None:
        return f"{level} {code}"
    rows = base.territories[(base.territories["level"] == level) & (base.territories["code"] == code)]
    return str(rows["nom"].iloc[0]) if len(rows) else f"{level} {code}"


def communes_of(base, level: str, code: str) -> dict[str, str]:
    """{code: nom} of the communes in the territory (none for région and France: too many to pick from)."""
    if base is None or level in ("region", "france"):
        return {}
    t = base.territories[base.territories["level"] == "commune"]
    column = {"commune": "code", "epci": "epci", "departement": "departement"}[level]
    sub = t[t[column] == code].sort_values("nom")
    return dict(zip(sub["code"].astype(str), sub["nom"].astype(str), strict=True))


def indicator_options(base, level: str) -> dict[str, str]:
    """{indicator id: label} of the indicators that have values at `level` in the base."""
    if base is None:
        return {}
    columns = set(base.wide(level).columns)
    return {i.id: i.label for i in list_indicators() if i.id in columns and i.id != "population"}


def author_key() -> str:
    """A random key identifying this browser session as the author of its enjeux."""
    if "atelier_auteur_cle" not in st.session_state:
        st.session_state["atelier_auteur_cle"] = uuid.uuid4().hex
    return st.session_state["atelier_auteur_cle"]


def facilitator_pin() -> str | None:
    """The facilitator PIN once unlocked in this session, else None."""
    pin = st.session_state.get("atelier_pin_valide")
    return pin if pin and check_pin(pin) else None


def flash(kind: str, message: str) -> None:
    st.session_state["atelier_message"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("atelier_message", (None, None))
    if kind == "success":
        st.success(message)
    elif kind == "error":
        st.error(message)


def run_action(action: Callable[[], object], success: str) -> bool:
    """Run a store action from a callback; its French error (if any) is shown after the rerun."""
    try:
        action()
    except (ValueError, AccessDenied, EditConflict, StoreUnavailable) as error:
        flash("error", str(error))
        return False
    flash("success", success)
    return True


def _when(enjeu: Enjeu) -> str:
    return enjeu.created_at.astimezone(_PARIS).strftime("%d/%m %H:%M")


def render_enjeu(
    store: Store,
    enjeu: Enjeu,
    *,
    commune_noms: dict[str, str],
    can_edit: bool,
    pin: str | None,
    large: bool = False,
) -> None:
    """One enjeu card: category, text, communes and evidence, all escaped; edit and delete when allowed."""
    with st.container(border=True):
        who = f" · {escape_markdown(enjeu.auteur)}" if enjeu.auteur else ""
        st.markdown(f"**{CATEGORIES[enjeu.categorie]}**{who} · {_when(enjeu)}")
        text = escape_markdown(enjeu.texte)
        st.markdown(f"### {text}" if large else text)
        if enjeu.communes:
            names = ", ".join(commune_noms.get(c, c) for c in enjeu.communes)
            st.caption(escape_markdown(f"Communes : {names}"))
        for ev in enjeu.evidence:
            mark = "▲" if ev.sens == "appuie" else "▼"
            st.markdown(f"{mark} *{SENS[ev.sens].capitalize()}* : {escape_markdown(describe_evidence(ev))}")
        if can_edit and not large:
            _edit_controls(store, enjeu, pin)


def _edit_controls(store: Store, enjeu: Enjeu, pin: str | None) -> None:
    key = author_key()
    left, right = st.columns(2)
    with left.popover("Modifier", width="stretch"), st.form(f"modifier_{enjeu.id}"):
        st.text_area("Texte", value=enjeu.texte, key=f"modifier_texte_{enjeu.id}", max_chars=600)
        st.selectbox(
            "Catégorie",
            options=list(CATEGORIES),
            index=list(CATEGORIES).index(enjeu.categorie),
            format_func=CATEGORIES.__getitem__,
            key=f"modifier_categorie_{enjeu.id}",
        )
        st.form_submit_button(
            "Enregistrer la modification",
            on_click=_update,
            args=(store, enjeu.id, enjeu.version, key, pin),
        )
    right.button(
        "Supprimer",
        key=f"supprimer_{enjeu.id}",
        on_click=lambda: run_action(
            lambda: store.delete_enjeu(enjeu.id, author_key=key, pin=pin), "Enjeu supprimé."
        ),
        width="stretch",
    )


def _update(store: Store, enjeu_id: int, version: int, key: str, pin: str | None) -> None:
    run_action(
        lambda: store.update_enjeu(
            enjeu_id,
            expected_version=version,
            texte=st.session_state[f"modifier_texte_{enjeu_id}"],
            categorie=st.session_state[f"modifier_categorie_{enjeu_id}"],
            author_key=key,
            pin=pin,
        ),
        "Enjeu modifié.",
    )


def category_counts_frame(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"Catégorie": [CATEGORIES[k] for k in counts], "Enjeux": list(counts.values())})


# ---------------------------------------------------------------------------------------------- sections


def workshop_picker(store: Store, level: str, code: str, territoire_nom: str):
    """Choose one of the territory's workshops, or create one; returns the Atelier or None."""
    ateliers = store.list_ateliers(level, code)
    chosen = None
    if ateliers:
        by_id = {a.id: a for a in ateliers}
        wanted = st.query_params.get("atelier", "")
        if "atelier_choisi" not in st.session_state and wanted.isdigit() and int(wanted) in by_id:
            st.session_state["atelier_choisi"] = int(wanted)
        if st.session_state.get("atelier_choisi") not in by_id:
            st.session_state["atelier_choisi"] = ateliers[0].id
        chosen_id = st.selectbox(
            "Atelier",
            options=list(by_id),
            format_func=lambda i: f"{by_id[i].titre} — {by_id[i].date.strftime('%d/%m/%Y')}",
            key="atelier_choisi",
        )
        chosen = by_id[chosen_id]
        with st.expander("Créer un autre atelier pour ce territoire"):
            _create_form(store, level, code, territoire_nom)
    else:
        st.info("Aucun atelier n'existe encore pour ce territoire : créez-le pour commencer.")
        _create_form(store, level, code, territoire_nom)
    return chosen


def _create_form(store: Store, level: str, code: str, territoire_nom: str) -> None:
    with st.form("atelier_creation"):
        st.text_input(
            "Titre de l'atelier",
            value=f"Feuille de route : {territoire_nom}",
            key="atelier_titre",
            max_chars=200,
        )
        st.date_input("Date", key="atelier_date", format="DD/MM/YYYY")
        st.form_submit_button("Créer l'atelier", on_click=_create, args=(store, level, code))


def _create(store: Store, level: str, code: str) -> None:
    def action():
        atelier = store.create_atelier(
            level, code, st.session_state["atelier_titre"], st.session_state.get("atelier_date")
        )
        st.session_state["atelier_choisi"] = atelier.id

    run_action(action, "Atelier créé.")


def enjeu_form(
    store: Store, atelier_id: int, base, level: str, code: str, commune_noms: dict[str, str]
) -> None:
    """The participant's form: text, category, communes, indicators with their figure shown live."""
    from indicateurs.atelier import evidence_for

    st.text_input("Votre prénom ou structure (facultatif)", key="enjeu_auteur", max_chars=80)
    st.text_area(
        "L'enjeu, en une ou deux phrases",
        key="enjeu_texte",
        max_chars=600,
        placeholder="Ex. : les seniors des communes rurales n'ont pas de lieu d'accompagnement proche.",
    )
    st.selectbox(
        "Catégorie", options=list(CATEGORIES), format_func=CATEGORIES.__getitem__, key="enjeu_categorie"
    )
    if commune_noms:
        st.multiselect(
            "Communes concernées (facultatif)",
            options=list(commune_noms),
            format_func=lambda c: f"{commune_noms[c]} ({c})",
            key="enjeu_communes",
            placeholder="Choisir une ou plusieurs communes",
        )
    options = indicator_options(base, level)
    if not options:
        st.caption("Les indicateurs pourront être liés une fois la base statistique construite.")
    else:
        wide = base.wide(level)
        for sens, label in (
            ("appuie", "Indicateurs qui appuient l'enjeu"),
            ("contredit", "Indicateurs qui le contredisent"),
        ):
            chosen = st.multiselect(
                label,
                options=list(options),
                format_func=options.__getitem__,
                key=f"enjeu_{sens}",
                placeholder="Choisir un ou plusieurs indicateurs",
            )
            for indicator_id in chosen:
                st.caption(
                    escape_markdown(describe_evidence(evidence_for(wide, indicator_id, level, code, sens)))
                )
    st.button(
        "Enregistrer l'enjeu",
        type="primary",
        key="enjeu_enregistrer",
        on_click=_save_enjeu,
        args=(store, atelier_id, base, level, code),
    )


def _save_enjeu(store: Store, atelier_id: int, base, level: str, code: str) -> None:
    from indicateurs.atelier import evidence_for

    ss = st.session_state
    ss.setdefault("enjeu_requete", uuid.uuid4().hex)

    def action():
        appuie, contredit = ss.get("enjeu_appuie", []), ss.get("enjeu_contredit", [])
        both = set(appuie) & set(contredit)
        if both:
            raise ValueError("Un même indicateur ne peut pas à la fois appuyer et contredire l'enjeu.")
        evidence = []
        if base is not None:
            wide = base.wide(level)
            evidence = [evidence_for(wide, i, level, code, "appuie") for i in appuie]
            evidence += [evidence_for(wide, i, level, code, "contredit") for i in contredit]
        store.add_enjeu(
            atelier_id,
            ss.get("enjeu_texte", ""),
            ss.get("enjeu_categorie", "acces"),
            communes=ss.get("enjeu_communes", []),
            auteur=ss.get("enjeu_auteur", ""),
            author_key=author_key(),
            evidence=evidence,
            request_id=ss["enjeu_requete"],
        )

    if run_action(action, "Enjeu enregistré : il apparaît dans la liste et sur la vue projecteur."):
        for key in ("enjeu_texte",):
            ss[key] = ""
        for key in ("enjeu_communes", "enjeu_appuie", "enjeu_contredit"):
            ss[key] = []
        ss["enjeu_requete"] = uuid.uuid4().hex


def enjeu_list(store: Store, atelier_id: int, commune_noms: dict[str, str]) -> None:
    enjeux = store.list_enjeux(atelier_id)
    pin = facilitator_pin()
    key = author_key()
    st.subheader(f"Enjeux saisis ({len(enjeux)})")
    if not enjeux:
        st.caption("Aucun enjeu pour l'instant.")
    for enjeu in reversed(enjeux):
        render_enjeu(
            store, enjeu, commune_noms=commune_noms, can_edit=bool(pin) or enjeu.owned_by(key), pin=pin
        )


@st.fragment(run_every=5)
@guarded
def projector_view(atelier_id: int, commune_noms: dict[str, str], join_url: str | None = None) -> None:
    """What the room sees: counts per category and the latest enjeux, refreshed every 5 seconds."""
    try:
        store = get_store()
        counts = store.count_by_categorie(atelier_id)
        enjeux = store.list_enjeux(atelier_id)
    except StoreUnavailable as error:
        st.error(md(error))
        return
    board, join = st.columns([4, 1])
    columns = board.columns(len(counts) + 1)
    columns[0].metric("Enjeux", sum(counts.values()))
    for column, (key, n) in zip(columns[1:], counts.items(), strict=True):
        column.metric(CATEGORIES[key], n)
    if join_url:
        join.image(_qr_png(join_url), caption="Scannez pour ajouter vos enjeux", width=160)
    for enjeu in list(reversed(enjeux))[:12]:
        render_enjeu(store, enjeu, commune_noms=commune_noms, can_edit=False, pin=None, large=True)
    st.caption("Actualisé toutes les 5 secondes.")


def pin_gate() -> str | None:
    """The facilitator PIN field; returns the PIN once correct."""
    pin = facilitator_pin()
    if pin:
        st.button("Verrouiller l'espace animateur", key="atelier_verrouiller", on_click=_lock)
        return pin
    if not os.environ.get("ATELIER_PIN"):
        st.warning(
            "Aucun code animateur n'est configuré : lancez l'application avec la variable "
            "d'environnement ATELIER_PIN (ex. ATELIER_PIN=un-code-long streamlit run app.py)."
        )
    st.text_input("Code animateur", type="password", key="atelier_pin_saisi")
    st.button("Déverrouiller", key="atelier_deverrouiller", on_click=_unlock)
    return None


def _unlock() -> None:
    ss = st.session_state
    now = time.monotonic()
    failures = [t for t in ss.get("atelier_pin_echecs", []) if now - t < _LOCKOUT_SECONDS]
    pin = ss.get("atelier_pin_saisi", "")
    ss["atelier_pin_saisi"] = ""
    if len(failures) >= _MAX_PIN_FAILURES:
        wait = int(_LOCKOUT_SECONDS - (now - failures[0])) // 60 + 1
        flash("error", f"Trop d'essais de code : réessayez dans {wait} minute(s).")
        return
    if check_pin(pin):
        ss["atelier_pin_valide"] = pin
        ss["atelier_pin_echecs"] = []
        flash("success", "Espace animateur déverrouillé.")
        return
    time.sleep(0.5)  # slows down guessing
    ss["atelier_pin_echecs"] = [*failures, now]
    flash("error", "Code animateur incorrect (ou variable ATELIER_PIN non définie sur le serveur).")


def _lock() -> None:
    st.session_state.pop("atelier_pin_valide", None)


def _enjeu_label(enjeux: list[Enjeu]) -> Callable[[int], str]:
    texts = {e.id: e.texte for e in enjeux}
    return lambda i: f"n° {i} : {texts.get(i, '')[:80]}"


def chantier_form(store: Store, atelier_id: int, pin: str, ressources: list[str]) -> None:
    enjeux = store.list_enjeux(atelier_id)
    with st.form("chantier_creation", clear_on_submit=True):
        st.text_input("Titre du chantier", key="chantier_titre", max_chars=200)
        st.multiselect(
            "Enjeux regroupés",
            options=[e.id for e in enjeux],
            format_func=_enjeu_label(enjeux),
            key="chantier_enjeux",
            placeholder="Choisir des enjeux",
        )
        st.text_area("Objectif", key="chantier_objectif", max_chars=1000)
        st.text_area("Acteurs", key="chantier_acteurs", max_chars=1000)
        if ressources:
            st.multiselect(
                "Lieux et ressources du territoire",
                options=ressources,
                key="chantier_lieux",
                placeholder="Choisir des lieux",
            )
        st.text_area("Autres ressources", key="chantier_ressources", max_chars=800)
        st.text_input("Première action", key="chantier_action", max_chars=1000)
        st.text_input("Pilote", key="chantier_pilote", max_chars=200)
        st.selectbox("Horizon", options=list(HORIZONS), key="chantier_horizon")
        st.form_submit_button("Créer le chantier", on_click=_add_chantier, args=(store, atelier_id, pin))


def _add_chantier(store: Store, atelier_id: int, pin: str) -> None:
    ss = st.session_state
    ressources = "; ".join([*ss.get("chantier_lieux", []), ss.get("chantier_ressources", "")]).strip("; ")
    run_action(
        lambda: store.add_chantier(
            atelier_id,
            ss.get("chantier_titre", ""),
            pin=pin,
            objectif=ss.get("chantier_objectif", ""),
            acteurs=ss.get("chantier_acteurs", ""),
            ressources=ressources,
            premiere_action=ss.get("chantier_action", ""),
            pilote=ss.get("chantier_pilote", ""),
            horizon=ss.get("chantier_horizon", ""),
            enjeu_ids=ss.get("chantier_enjeux", []),
        ),
        "Chantier créé.",
    )


def chantier_list(store: Store, atelier_id: int, pin: str) -> None:
    enjeux = store.list_enjeux(atelier_id)
    label = _enjeu_label(enjeux)
    for n, ch in enumerate(store.list_chantiers(atelier_id), start=1):
        with st.container(border=True):
            st.markdown(f"**Chantier {n} : {escape_markdown(ch.titre)}**")
            for name, value in (
                ("Objectif", ch.objectif),
                ("Acteurs", ch.acteurs),
                ("Ressources", ch.ressources),
                ("Première action", ch.premiere_action),
                ("Pilote", ch.pilote),
                ("Horizon", ch.horizon),
            ):
                if value:
                    st.markdown(f"*{name}* : {escape_markdown(value)}")
            key = f"chantier_{ch.id}_enjeux"
            st.multiselect(
                "Enjeux regroupés",
                options=[e.id for e in enjeux],
                default=[i for i in ch.enjeu_ids if i in {e.id for e in enjeux}],
                format_func=label,
                key=key,
                placeholder="Choisir des enjeux",
            )
            left, right = st.columns(2)
            left.button(
                "Enregistrer le regroupement",
                key=f"chantier_{ch.id}_lier",
                on_click=lambda cid=ch.id, k=key: run_action(
                    lambda: store.set_chantier_enjeux(cid, st.session_state[k], pin=pin),
                    "Regroupement enregistré.",
                ),
            )
            right.button(
                "Supprimer le chantier",
                key=f"chantier_{ch.id}_supprimer",
                on_click=lambda cid=ch.id: run_action(
                    lambda: store.delete_chantier(cid, pin=pin), "Chantier supprimé."
                ),
            )


def gouvernance_form(store: Store, atelier_id: int, pin: str) -> None:
    current = store.get_gouvernance(atelier_id)
    with st.form("gouvernance"):
        st.text_area(
            "Qui pilote ?", value=current.pilotage if current else "", key="gouv_pilotage", max_chars=1000
        )
        st.text_area(
            "Qui participe ?",
            value=current.participants if current else "",
            key="gouv_participants",
            max_chars=1000,
        )
        st.text_input(
            "À quelle fréquence ?",
            value=current.frequence if current else "",
            key="gouv_frequence",
            max_chars=200,
        )
        st.form_submit_button(
            "Enregistrer la gouvernance",
            on_click=_save_gouvernance,
            args=(store, atelier_id, pin, current.version if current else 0),
        )


def _save_gouvernance(store: Store, atelier_id: int, pin: str, version: int) -> None:
    ss = st.session_state
    run_action(
        lambda: store.set_gouvernance(
            atelier_id,
            pin=pin,
            pilotage=ss.get("gouv_pilotage", ""),
            participants=ss.get("gouv_participants", ""),
            frequence=ss.get("gouv_frequence", ""),
            expected_version=version,
        ),
        "Gouvernance enregistrée.",
    )


def join_url(level: str, code: str, atelier_id: int) -> str | None:
    """The address participants open on their phone: this page, this territory, this workshop."""
    url = st.context.url
    if not url:
        return None
    return f"{url.split('?')[0]}?territoire={level}:{code}&atelier={atelier_id}"


@st.cache_data(show_spinner=False, max_entries=32)
def _qr_png(text: str) -> bytes:
    import io

    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


KEY_FIGURES = ("population", "ifn", "taux_pauvrete", "part_65_plus", "part_peu_diplomes", "part_thd")


def place_names(store: Store, base, level: str, code: str, commune_noms: dict[str, str]) -> list[str]:
    """'Nom (type)' of the offer places in the territory: national files plus local additions."""
    frames = [store.list_local_places(territoire=(level, code), communes=list(commune_noms) or None)]
    if base is not None and {"nom", "type", "code_commune"} <= set(base.places.columns) and commune_noms:
        frames.append(base.places[base.places["code_commune"].astype(str).isin(commune_noms)])
    names = []
    for frame in frames:
        names += [
            f"{n} ({t})" for n, t in zip(frame["nom"], frame["type"], strict=True) if isinstance(n, str)
        ]
    return sorted(dict.fromkeys(names))[:500]


def feuille_de_route(store: Store, atelier, base, level: str, code: str, territoire_nom: str, commune_noms):
    """Everything the exports contain: key figures (defaults + cited indicators) and the workshop's content."""
    from indicateurs.atelier import collect, key_figures

    figures = []
    if base is not None:
        wide = base.wide(level)
        cited = [ev.indicator_id for e in store.list_enjeux(atelier.id) for ev in e.evidence]
        wanted = [i for i in dict.fromkeys([*KEY_FIGURES, *cited]) if i in wide.columns]
        figures = key_figures(wide, level, code, wanted)
    return collect(
        store, atelier.id, territoire_nom=territoire_nom, key_figures=figures, commune_noms=commune_noms
    )


def export_buttons(
    store: Store, atelier, base, level: str, code: str, territoire_nom: str, commune_noms
) -> None:
    """The four downloads; each file is built only when its button is clicked."""
    from indicateurs.atelier import to_csv, to_docx, to_markdown, to_xlsx
    from indicateurs.render.tables import safe_filename

    def bundle():
        return feuille_de_route(store, atelier, base, level, code, territoire_nom, commune_noms)

    stem = safe_filename(f"feuille de route {territoire_nom} {atelier.date:%Y-%m-%d}")
    st.write(
        "Le brouillon reprend les chiffres clés du territoire, les enjeux et leurs preuves, les chantiers et la gouvernance."
    )
    cols = st.columns(4)
    cols[0].download_button(
        "Feuille de route (Word)",
        data=lambda: to_docx(bundle()),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="export_docx",
        on_click="ignore",
    )
    cols[1].download_button(
        "Feuille de route (Markdown)",
        data=lambda: to_markdown(bundle()),
        file_name=f"{stem}.md",
        mime="text/markdown",
        key="export_md",
        on_click="ignore",
    )
    cols[2].download_button(
        "Données brutes (Excel)",
        data=lambda: to_xlsx(bundle()),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="export_xlsx",
        on_click="ignore",
    )
    cols[3].download_button(
        "Enjeux (CSV)",
        data=lambda: to_csv(bundle()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="export_csv",
        on_click="ignore",
    )
