"""The shared view state: chosen territory and projector mode, kept in the session and in the URL.

`?territoire=epci:200041523&projecteur=1` reopens the same view; a bad value gives a French
warning and the default view, never a traceback.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from indicateurs.errors import AtlasError
from indicateurs.reference.levels import LEVEL_IDS, NAMES
from indicateurs.reference.text import normalise
from ui import cache
from ui.cache import base
from ui.safe import md

__all__ = [
    "DEFAULT_TERRITORY",
    "EXACT_PICK",
    "current_territory",
    "keep_in_url",
    "projector_mode",
    "projector_toggle",
    "search",
    "show_notices",
    "territory_label",
    "territory_options",
    "territory_selector",
    "url_choice",
]

DEFAULT_TERRITORY = ("france", "FR")
# Every multiselect picks what the user means: typed text matches as a substring (the fuzzy default
# offered "Larrau" three communes) and there is no "Select N matches" entry (English, and Enter on
# a phone took all the matches at once). Pass as `st.multiselect(..., **EXACT_PICK)`.
EXACT_PICK = {"filter_mode": "contains", "select_all": False}
_KEY = "territoire"
_WIDGET = "territoire_choisi"
_PROJECTOR = "projecteur"
_SEARCH = "recherche_territoire"
_LAST_QUERY = "_derniere_recherche"
_LIMIT = 300
_NOTICES = "_avertissements"


@st.cache_resource(show_spinner=False)
def territory_options() -> pd.DataFrame:
    """All territories for the selector: key 'level:code', French label, and a search text.

    Shared read-only (`st.cache_resource`, like `ui.cache`): read three times a run, never copied."""
    order = {level: i for i, level in enumerate(reversed(LEVEL_IDS))}  # France first, communes last
    t = base().territories[["level", "code", "nom"]].copy()
    t["order"] = t["level"].map(order)
    t = t.sort_values(["order", "nom"], kind="stable")
    t["key"] = t["level"] + ":" + t["code"]
    t["label"] = [
        nom if level == "france" else f"{nom} ({NAMES[level]}, {code})"
        for level, code, nom in zip(t["level"], t["code"], t["nom"], strict=True)
    ]
    t["search"] = [normalise(f"{nom} {code}") for nom, code in zip(t["nom"], t["code"], strict=True)]
    return t.set_index("key")[["level", "code", "nom", "label", "search"]]


def _selector_lists() -> tuple[tuple[str, ...], dict[str, str]]:
    """The list shown without a search (every territory but the communes) and every key's label.

    Built once per server (`ui.cache.built`): the selector reruns with every click of every participant."""

    def build() -> tuple[tuple[str, ...], dict[str, str]]:
        options = territory_options()
        return tuple(options.index[options["level"] != "commune"]), options["label"].to_dict()

    return cache.built("territoires:selecteur", None, build)


def current_territory() -> tuple[str, str]:
    """(level, code) of the territory chosen in the sidebar (France until one is chosen)."""
    value = st.session_state.get(_KEY)
    if value is None:
        value = _from_url() or DEFAULT_TERRITORY
        st.session_state[_KEY] = value
    return tuple(value)  # type: ignore[return-value]


def territory_label(level: str, code: str) -> str:
    """'CC du Haut Val de Sèvre (EPCI, 200041523)'."""
    options = territory_options()
    key = f"{level}:{code}"
    return options.at[key, "label"] if key in options.index else f"{code} ({level})"


def territory_selector() -> tuple[str, str]:
    """The sidebar selector; returns (level, code).

    A search box (name or code, accents and case ignored) filters all 37 000 territories on the
    server; the list below shows its matches, or France, régions, départements and EPCI when the
    box is empty. Sending every commune to the browser would weigh 1.3 MB on each page load.
    """
    options = territory_options()
    current = current_territory()
    key = f"{current[0]}:{current[1]}"
    if key not in options.index:
        key = ":".join(DEFAULT_TERRITORY)
    if st.session_state.get(_WIDGET) not in options.index:
        st.session_state[_WIDGET] = key
    with st.sidebar:
        query = st.text_input(
            "Rechercher un territoire",
            key=_SEARCH,
            placeholder="Nom ou code : Niort, 79191, Sèvre…",
            help="Commune, EPCI, département ou région ; les accents et majuscules sont ignorés.",
        )
        keys = search(query)
        if query and not keys:
            st.caption("Aucun territoire ne correspond à cette recherche.")
        chosen_key = st.session_state[_WIDGET]
        keys = [chosen_key, *(k for k in keys if k != chosen_key)]
        if query and len(keys) > 1 and keys[1:]:
            # The first match becomes the choice, so typing a name and pressing Enter is enough.
            first_match = keys[1]
            if st.session_state.get(_LAST_QUERY) != query:
                st.session_state[_LAST_QUERY] = query
                st.session_state[_WIDGET] = first_match
                keys = [first_match, *(k for k in keys if k != first_match)]
        chosen = st.selectbox(
            "Territoire",
            options=keys,
            format_func=_selector_lists()[1].__getitem__,
            key=_WIDGET,
            filter_mode="contains",
        )
    level, code = chosen.split(":", 1)
    st.session_state[_KEY] = (level, code)
    st.query_params[_KEY] = chosen
    return level, code


def search(query: str, limit: int = _LIMIT) -> list[str]:
    """Keys ('level:code') of the territories whose name or code contains the query; without
    a query, every territory except the communes. Exact name or code first, then larger territories."""
    text = normalise(query or "")
    if not text:
        return list(_selector_lists()[0])
    return list(_matches(text, limit))


@st.cache_resource(show_spinner=False, max_entries=1024)
def _matches(text: str, limit: int) -> tuple[str, ...]:
    """`search` of a normalised query, once per server: the query stays in the box, so every later
    run of the page searched the 37 000 names again (15 to 30 ms each, issue #16)."""
    options = territory_options()
    hits = options[options["search"].str.contains(text, regex=False)]
    exact = hits[(hits["code"].str.lower() == text) | (hits["nom"].map(normalise) == text)]
    first = set(exact.index)
    ordered = [*exact.index, *(k for k in hits.index if k not in first)]
    return tuple(ordered[:limit])


def projector_mode() -> bool:
    """True when the projector mode is on (toggle or `?projecteur=1`)."""
    if _PROJECTOR not in st.session_state:
        st.session_state[_PROJECTOR] = st.query_params.get(_PROJECTOR, "0") in ("1", "oui", "true")
    return bool(st.session_state[_PROJECTOR])


def projector_toggle() -> bool:
    """Sidebar toggle for the projector mode, mirrored in the URL; plus a way back when the sidebar hides."""
    projector_mode()
    with st.sidebar:
        st.toggle(
            "Mode projecteur", key=_PROJECTOR, help="Grands caractères, contraste renforcé, menu masqué."
        )
    on = bool(st.session_state[_PROJECTOR])
    if on:
        st.query_params[_PROJECTOR] = "1"
        st.button("Quitter le mode projecteur", key="quitter_projecteur", on_click=_leave_projector)
    elif _PROJECTOR in st.query_params:
        del st.query_params[_PROJECTOR]
    return on


def _leave_projector() -> None:
    st.session_state[_PROJECTOR] = False


def _from_url() -> tuple[str, str] | None:
    """The territory named in the URL, or None (with a French warning when it is unknown)."""
    raw = st.query_params.get(_KEY)
    if not raw:
        return None
    text = raw.strip()
    try:
        options = territory_options()
    except AtlasError:  # no base (the Atelier still opens): trust a well-formed 'level:code'
        level, _, code = text.partition(":")
        return (level, code) if level in LEVEL_IDS and re.fullmatch(r"[0-9A-Z]{2,9}", code) else None
    if text in options.index:
        level, code = text.split(":", 1)
        return level, code
    # A bare code ('200041523', '79') is accepted when it names exactly one territory.
    matches = options[options["code"] == text.split(":")[-1]]
    if len(matches) == 1:
        return matches.iloc[0]["level"], matches.iloc[0]["code"]
    st.session_state.setdefault(_NOTICES, []).append(
        f"Territoire inconnu dans l'adresse : « {md(text)} ». Affichage de la France entière ; "
        "choisissez un territoire dans la liste à gauche."
    )
    return None


def show_notices() -> None:
    """Show (once) the warnings about the URL, on the page the user lands on."""
    for message in st.session_state.pop(_NOTICES, []):
        st.warning(message)


# ---------------------------------------------------------------- choices kept in the URL
# Every choice that changes what a page draws is written in the address, so that a shared link
# reopens the same view. The widget's key is the parameter's name. Streamlit's own
# bind="query-params" writes the address from the browser only; written here, the address is the
# same for the browser and for AppTest (tests/app/test_links.py).


def url_choice(key: str, valid, default=None, *, decode=str, many: bool = False, param: str = "") -> None:
    """Before drawing the widget `key`: give it its value when the session has none yet, the URL's
    value when there is a valid one, `default` otherwise (the widget is then drawn without its own
    default, as Streamlit asks).

    `valid(value) -> bool` (or a collection of the accepted values) rejects a value the page cannot
    draw (a French warning says so and the default is shown). `many`: a list written 'a,b,c'.
    `param`: the URL parameter when it is not `key`.
    """
    param = param or key
    if key in st.session_state:
        return
    if param in st.query_params:
        raw = st.query_params.get(param, "")
        check = valid if callable(valid) else (lambda v: v in valid)
        try:
            value = [decode(v) for v in raw.split(",") if v] if many else decode(raw)
            ok = all(check(v) for v in value) if many else check(value)
        except (TypeError, ValueError):
            ok = False
        if ok:
            st.session_state[key] = value
            return
        st.warning(f"Réglage inconnu dans l'adresse : « {md(param)}={md(raw)} ». Réglage par défaut affiché.")
    if default is not None:
        st.session_state[key] = default


def keep_in_url(key: str, value, default=None, *, encode=str) -> None:
    """After drawing the widget `key`: write its value in the URL (left out when it is the default)."""
    if isinstance(value, (list, tuple)) and not isinstance(default, tuple):
        text = ",".join(encode(v) for v in value)
        is_default = list(value) == list(default or [])
    else:
        text = encode(value)
        is_default = value == default
    if is_default or value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text
