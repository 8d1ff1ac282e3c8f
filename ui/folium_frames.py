"""`st_folium` in two halves that can be built once: the map's frame and the values layer's script.

`st_folium(map, feature_group_to_add=layer)` renders the whole folium map on every run (Jinja
templates compiled per element, the outlines' GeoJSON walked for bounds, fresh uuids…): 0.1 to 0.3 s
of server CPU per click. What it sends to the browser depends only on the map and the layer, so
`frame(map)` and `layer_script(layer)` compute those arguments once (the caller caches them in
`ui.cache.built`), and `show` passes them to the same component, with the same arguments
`st_folium` would pass (`tests/unit/test_folium_frames.py` checks it against `st_folium` itself).

Frames and layer scripts are plain strings and lists: shared between sessions, never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import streamlit as st
import streamlit_folium as sf

__all__ = ["Frame", "LayerScript", "frame", "layer_script", "show"]


def _register_component() -> None:
    """Make sure the server knows the map's component, whichever thread imported this module first.

    `declare_component` registers a component only under a page script's context: imported first by
    serve.py's first view (another thread), the map's frame would answer 404 for the server's life."""
    from streamlit.runtime import Runtime

    component = sf._component_func
    if Runtime.exists() and component.path:
        registry = Runtime.instance().component_registry
        if registry.get_component_path(component.name) is None:
            registry.register_component(component)


_register_component()


@dataclass(frozen=True)
class Frame:
    """What the component needs from the map itself: its script, header, html and links."""

    script: str
    header: str
    html: str
    id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


@dataclass(frozen=True)
class LayerScript:
    """The values layer as the script st_folium adds to a kept map, and the links it needs."""

    script: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def frame(m: folium.Map) -> Frame:
    """Render `m` once, as st_folium does (the map object is consumed: do not render it again)."""
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css, js = _links(m)
    # No bounds nor zoom: st_folium measures them only for the values it returns, and we ask for none.
    return Frame(script, header, html, sf.get_full_id(m), css, js)


def layer_script(layer: folium.FeatureGroup) -> LayerScript:
    """The script of a values layer, as st_folium writes it for the kept map (`map_div`)."""
    holder = folium.Map(tiles=None)
    holder._id = "div"  # the name st_folium gives every map: `map_div`
    text = sf._get_feature_group_string(layer, map=holder, idx=0)
    css, js = _links(layer)
    return LayerScript(text, css, js)


def show(
    view: Frame,
    layer: LayerScript | None,
    *,
    key: str,
    height: int,
    use_container_width: bool = True,
    width: int | None = 500,
) -> None:
    """Draw the frame (and its layer) with the st_folium component; nothing is sent back (`returned_objects=[]`)."""
    hash_key = sf.generate_js_hash(view.script, key, False)

    def on_change() -> None:  # st_folium's own callback
        st.session_state[key] = st.session_state.get(hash_key, {})

    css = view.css_links + (layer.css_links if layer else ())
    js = view.js_links + (layer.js_links if layer else ())
    sf._component_func(
        script=view.script,
        header=view.header,
        html=view.html,
        id=view.id,
        key=hash_key,
        height=height,
        width=None if use_container_width else width,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=layer.script if layer else None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(dict.fromkeys(css)),
        js_links=list(dict.fromkeys(js)),
        on_change=on_change,
        wrap_longitude=False,
    )


def _links(element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSS and JS links of the element and its children, in st_folium's order (deduplicated)."""
    css: list[str] = []
    js: list[str] = []
    stack = [element]
    while stack:
        item = stack.pop(0)
        if isinstance(item, folium.elements.JSCSSMixin):
            css.extend(href for _, href in getattr(item, "default_css", []))
            js.extend(src for _, src in getattr(item, "default_js", []))
        stack[:0] = list(getattr(item, "_children", {}).values())
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))
