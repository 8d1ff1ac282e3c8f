"""The first view of /carte and /profil: the page's map as static HTML, sent inside the page itself.

In a fresh browser a one-title Streamlit page needs 1.2 to 1.8 s on this machine before it draws
anything; the Carte's map then waits for Streamlit's element modules, the component's frame,
Leaflet and the TopoJSON (3.1 to 3.8 s in all, issue #16), and much longer for a phone on venue
Wi-Fi, which must first receive 1.8 MB. `serve.py` writes this view into the HTML it sends: the
same map (shapes, class colours, outlines, chosen territory, legend with source and millésime,
caption) drawn as SVG, over the app until its interactive map is drawn, then removed.

Built from the page's own cached views (`ui.carte.build_view`, `ui.profil`), so it shows what the
page will show; an address the page would warn about (unknown territory, indicator or setting, any
other parameter) gets no first view, only the app. Nothing here calls a Streamlit command.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

from ui import cache, carte, data, profil, state, style

__all__ = ["PAGES", "REMOVE_SCRIPT", "for_request"]

# Page path -> parameters its first view understands (any other parameter: no first view)
_CARTE_PARAMS = frozenset({"territoire", "portee", "indicateur", "classement", "voisins"})
PAGES: dict[str, frozenset[str]] = {
    "": _CARTE_PARAMS,  # the bare address opens the Carte
    "carte": _CARTE_PARAMS,
    "profil": frozenset({"territoire", "profil_carte_indicateur", "profil_indicateur"}),
}
_CARTE_HEIGHT, _PROFIL_HEIGHT = 600, 480

# Removes the view once the interactive map has drawn its shapes (the component's frame is served by
# the same server, so its document is readable); or when the app shows an error; or when its run is
# over and, 2 s later, the page still has no map (a warning, a page without one); at the latest after
# 60 s (a very slow network: the app then shows its own progress). Someone who had scrolled the
# preview down to the map finds the interactive map in view.
REMOVE_SCRIPT = """<script>(function(){
var v=document.getElementById("atlas-premiere-vue"),t0=Date.now(),idle=null;
function drawn(){var f=document.querySelectorAll("iframe");for(var i=0;i<f.length;i++){try{
var d=f[i].contentDocument;if(d&&d.querySelector(".leaflet-overlay-pane path"))return true}catch(e){}}
return false}
function noMap(){var a=document.querySelector('[data-testid="stApp"]');
if(!a||a.getAttribute("data-test-script-state")!=="notRunning"||document.querySelector(
'iframe[src*="streamlit_folium"]')){idle=null;return false}idle=idle||Date.now();return Date.now()-idle>2000}
function atMap(){var m=v.querySelector(".apv-map");if(!m||v.scrollTop<50)return false;
var r=m.getBoundingClientRect();return r.top<innerHeight&&r.bottom>0}
function done(){var keep=atMap();v.remove();var f=document.querySelector('iframe[src*="streamlit_folium"]');
if(keep&&f)f.scrollIntoView({block:"center"})}
(function check(){if(!v)return;if(drawn()||document.querySelector('[data-testid="stException"]')||noMap()
||Date.now()-t0>60000){done();return}setTimeout(check,100)})();})();</script>"""

_CSS = """
#atlas-premiere-vue { position: fixed; inset: 0; z-index: 1000000; background: #fff; overflow: auto;
  display: flex; font-family: "Source Sans Pro", "Source Sans 3", sans-serif; color: var(--apv-text); }
#atlas-premiere-vue .apv-side { flex: 0 0 244px; background: var(--apv-side); padding: 3.5rem 1.5rem; }
#atlas-premiere-vue .apv-main { flex: 1 1 auto; min-width: 0; padding: 3.5rem 5rem 2rem; }
#atlas-premiere-vue h1 { font-size: 2.75rem; font-weight: 700; margin: 0 0 .5rem; }
#atlas-premiere-vue h2 { font-size: 1.5rem; font-weight: 600; margin: 1.5rem 0 .5rem; }
#atlas-premiere-vue .apv-caption { font-size: .875rem; opacity: .7; margin: .25rem 0 1rem; }
#atlas-premiere-vue .apv-wait { background: #e8f0fe; color: #1a3d7c; padding: .5rem .75rem; border-radius: .5rem;
  font-size: .95rem; margin-bottom: 1rem; }
#atlas-premiere-vue .apv-row { display: flex; gap: 1rem; align-items: flex-start; }
#atlas-premiere-vue .apv-map { flex: 3 1 0; min-width: 0; }
#atlas-premiere-vue .apv-map svg { width: 100%; display: block; }
#atlas-premiere-vue .apv-legend { flex: 1 1 0; min-width: 0; }
#atlas-premiere-vue .apv-field { margin-bottom: 1rem; }
#atlas-premiere-vue .apv-field-label { font-size: .875rem; margin-bottom: .25rem; }
#atlas-premiere-vue .apv-field-value { background: var(--apv-side); border-radius: .5rem; padding: .5rem .75rem;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#atlas-premiere-vue .apv-grow3 { flex: 3 1 0; min-width: 0; }
#atlas-premiere-vue .apv-grow2 { flex: 2 1 0; min-width: 0; }
#atlas-premiere-vue .apv-grow1 { flex: 1 1 0; min-width: 0; }
#atlas-premiere-vue .apv-metrics { display: flex; gap: 1rem; flex-wrap: wrap; }
#atlas-premiere-vue .apv-metric { flex: 1 1 10rem; }
#atlas-premiere-vue .apv-metric-label { font-size: .875rem; }
#atlas-premiere-vue .apv-metric-value { font-size: 2.25rem; line-height: 1.2; }
#atlas-premiere-vue .apv-box { border: 1px solid rgba(128, 128, 128, .3); border-radius: .5rem; padding: 1rem; }
#atlas-premiere-vue .apv-slot { height: 320px; background: #f6f7f9; border-radius: .5rem; display: flex;
  align-items: center; justify-content: center; opacity: .7; }
@media (max-width: 760px) {
  #atlas-premiere-vue .apv-side { display: none; }
  #atlas-premiere-vue .apv-main { padding: 3rem 1rem 1rem; }
  #atlas-premiere-vue h1 { font-size: 2rem; }
  #atlas-premiere-vue .apv-row { flex-direction: column; gap: 0; }
  #atlas-premiere-vue .apv-row > div { flex: none; width: 100%; }
}
"""


class _NoView(Exception):
    """The address names something the page would warn about: the app alone answers it."""


def for_request(path: str, query: str) -> str | None:
    """The first view's HTML for a page address (path, query string), or None when there is none.

    Reads the cached base: the caller runs it off the server's event loop."""
    page = path.rstrip("/").rsplit("/", 1)[-1]
    if page not in PAGES:
        return None
    params = parse_qs(query, keep_blank_values=True)
    if set(params) - PAGES[page] or any(len(v) != 1 for v in params.values()):
        return None
    params = {k: v[0] for k, v in params.items()}
    if not _base_ready():
        return None
    try:
        body = _profil(params) if page == "profil" else _carte(params)
    except _NoView:
        return None
    return _page(body)


def _base_ready() -> bool:
    try:
        cache.base()
    except Exception:  # not built yet, or damaged: the app says so in French
        return False
    return True


def _territory(params: dict[str, str]) -> tuple[str, str]:
    raw = params.get("territoire")
    if raw is None:
        return state.DEFAULT_TERRITORY
    if raw not in state.territory_options().index:
        raise _NoView
    level, code = raw.split(":", 1)
    return level, code


def _choice(params: dict[str, str], key: str, valid, default):
    value = params.get(key, default)
    if value not in valid:
        raise _NoView
    return value


def _carte(params: dict[str, str]) -> str:
    """The Carte page as it opens for these parameters (the same defaults as app_pages/carte.py)."""
    territory = _territory(params)
    scopes = {f"{s}:{a}": label for s, a, label in data.scope_choices(*territory)}
    scope_key = _choice(params, "portee", scopes, next(iter(scopes)))
    scope, area = scope_key.split(":", 1)
    options = carte.indicator_options(data.SCOPES[scope][0])
    indicator_id = _choice(params, "indicateur", options, carte.DEFAULT_INDICATOR)
    methods = carte.method_options(cache.base().indicator(indicator_id))
    method = _choice(params, "classement", methods, carte.DEFAULT_METHOD)
    neighbours = _choice(params, "voisins", ("0", "1"), "0") == "1"
    view = carte.build_view(
        scope, area, indicator_id, method, territory, show_neighbours=neighbours, height=_CARTE_HEIGHT
    )
    svg = carte.static_map(view, scope, area, territory, show_neighbours=neighbours)
    # The settings as the page will show them (read-only here), where the page puts them.
    return (
        "<h1>Carte</h1>"
        f"<p class='apv-caption'>Territoire choisi : <b>{_text(state.territory_label(*territory))}</b></p>"
        + _field("Étendue de la carte", scopes[scope_key])
        + "<div class='apv-row apv-settings'>"
        + _field("Indicateur", options[indicator_id], "apv-grow3")
        + _field("Classes", methods[method], "apv-grow2")
        + _field("Voisins", "oui" if neighbours else "non", "apv-grow1")
        + "</div>"
        + _map_row(svg, view)
    )


def _profil(params: dict[str, str]) -> str:
    """The top of the Profil page (title, key figures, summary) and its commune map."""
    level, code = _territory(params)
    if level == "france":
        raise _NoView  # no commune map for France
    try:
        profile = profil.profile(level, code)
    except ValueError:
        raise _NoView from None
    choices = profil.map_indicators(profile)
    if not choices:
        raise _NoView
    shown = _choice(params, "profil_carte_indicateur", choices, profil.default_indicator(choices))
    _choice(
        params,
        "profil_indicateur",
        profile.indicator_ids(),
        profil.default_indicator(profile.indicator_ids()),
    )
    scope, area = profil.map_scope(profile)
    view = carte.build_view(scope, area, shown, carte.DEFAULT_METHOD, (level, code), height=_PROFIL_HEIGHT)
    svg = carte.static_map(view, scope, area, (level, code), show_neighbours=False)
    title, subtitle = profil.heading(profile)
    figures = "".join(
        (f"<p>{_text(heading)}</p>" if heading else "") + _metrics(profile.key_figures, ids)
        for heading, ids in profil.key_figure_rows(profile.key_figures)
    )
    return (
        f"<h1>{_text(title)}</h1><p class='apv-caption'>{_text(subtitle)}</p>"
        "<h2>Chiffres clés</h2>"
        + figures
        + "<h2>En résumé</h2><ul>"
        + "".join(f"<li>{_text(line)}</li>" for line in profile.summary)
        + "</ul><div class='apv-box'><p><b>Ce que les chiffres ne disent pas</b></p><ul>"
        + "".join(f"<li>{_text(line)}</li>" for line in profile.caveats)
        + "</ul></div><h2>Comparaison avec des territoires proches</h2>"
        "<div class='apv-slot'>Graphique en cours de chargement…</div>"
        "<h2>Carte des communes</h2>"
        f"<p class='apv-caption'>Indicateur cartographié : {_text(cache.base().indicator(shown).label)}</p>"
        + _map_row(svg, view)
    )


def _field(label: str, value: str, css: str = "") -> str:
    return (
        f"<div class='apv-field {css}'><div class='apv-field-label'>{_text(label)}</div>"
        f"<div class='apv-field-value'>{_text(value)}</div></div>"
    )


def _metrics(key, ids) -> str:
    cells = []
    for indicator_id in ids:
        texts = profil.metric_texts(key, indicator_id)
        if texts is not None:
            cells.append(
                f"<div class='apv-metric' title='{html.escape(texts.help, quote=True)}'>"
                f"<div class='apv-metric-label'>{_text(texts.label)}</div>"
                f"<div class='apv-metric-value'>{_text(texts.shown)}</div>"
                f"<div class='apv-caption'>{_text(texts.caption)}</div></div>"
            )
    return f"<div class='apv-metrics'>{''.join(cells)}</div>" if cells else ""


def _map_row(svg: str, view: carte.MapView) -> str:
    return (
        f"<div class='apv-row'><div class='apv-map'>{svg}</div>"
        f"<div class='apv-legend'>{view.legend}</div></div>"
        f"<p class='apv-caption'>{_text(view.caption)}</p>"
    )


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _text(text: str) -> str:
    """Escaped text, with the Markdown bold the page's sentences use."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(str(text), quote=False))


def _theme_css() -> str:
    """The app's theme colours (.streamlit/config.toml), so that the preview looks like the page."""
    from streamlit import config

    side = config.get_option("theme.secondaryBackgroundColor") or "#f0f2f6"
    text = config.get_option("theme.textColor") or "#31333f"
    return f"#atlas-premiere-vue {{ --apv-side: {side}; --apv-text: {text}; }}"


def _page(body: str) -> str:
    return (
        "<div id='atlas-premiere-vue' aria-busy='true'>"
        f"<style>{_theme_css()}{_CSS}{style.BASE_CSS}</style>"
        "<div class='apv-side'><b>Atlas de l'inclusion numérique</b></div>"
        "<div class='apv-main'><div class='apv-wait' role='status'>Aperçu : la page interactive "
        "(infobulles, réglages, tableaux) se charge…</div>"
        f"{body}</div></div>{REMOVE_SCRIPT}"
    )
