"""The first view sent with /carte and /profil (`ui.first_view`) shows what the page will show."""

from __future__ import annotations

import html
import re

import pytest

from tests.synthetic import COMMUNES, EPCI_A, EPCI_B


def _fills(page: str) -> list[str]:
    """Fill colours of the map's shapes, in drawing order."""
    shapes = page.split("<svg", 1)[1].split("</g>", 1)[0]
    return re.findall(r'<path fill="([^"]+)" d="', shapes)


def test_carte_first_view_is_the_page_default_view(app):
    from ui import carte, data, first_view

    page = first_view.for_request("/carte", "")
    assert page is not None and page.startswith("<div id='atlas-premiere-vue'")
    view = carte.build_view("france", "FR", "ifn", "quantiles", ("france", "FR"), height=600)
    assert "<h1>Carte</h1>" in page and view.legend in page  # legend with source, millésime, counts
    assert html.escape(view.caption, quote=False) in page
    # one shape per EPCI, coloured by the page's own classes
    gdf = data.scope_geometry("france", "FR")
    values = carte._values("france", "FR", "ifn")
    assert _fills(page) == list(view.classes.color_of(values).to_numpy())
    assert len(_fills(page)) == len(gdf) == 2
    # the page, once loaded, shows the very same caption
    app.run()
    assert not app.exception
    assert view.caption in [c.value for c in app.caption]


def test_carte_first_view_follows_the_address(built_store):
    from ui import first_view

    page = first_view.for_request("/carte", f"territoire=epci:{EPCI_A}&voisins=1&classement=jenks")
    assert "CA du Pays Ajaccien (EPCI, " in page
    assert "Seuils naturels (Jenks)" in page
    assert 'stroke="#1f4e9c" stroke-width="2.5" stroke-linejoin="round" stroke-dasharray="6 4"' in page
    assert 'stroke="#000000" stroke-width="4"' in page  # the chosen EPCI outlined
    plain = first_view.for_request("/carte", f"territoire=epci:{EPCI_A}")
    assert "stroke-dasharray" not in plain  # no neighbours unless asked


@pytest.mark.parametrize(
    "path, query",
    [
        ("/carte", "projecteur=1"),  # the projector layout is another page
        ("/carte", "territoire=epci:999999999"),  # the page warns: no first view
        ("/carte", "indicateur=inconnu"),
        ("/carte", "classement=ifn&indicateur=taux_chomage"),  # IFN classes for a score only
        ("/carte", "voisins=peut-etre"),
        ("/carte", "territoire=epci:{a}&territoire=epci:{b}"),
        ("/carte", "utm_source=lettre"),
        ("/comparer", ""),
        ("/profil", ""),  # France: no commune map
    ],
)
def test_no_first_view_where_the_page_would_warn_or_differ(built_store, path, query):
    from ui import first_view

    assert first_view.for_request(path, query.format(a=EPCI_A, b=EPCI_B)) is None


def test_profil_first_view_has_the_key_figures_and_the_commune_map(built_store):
    from ui import carte, first_view, profil

    page = first_view.for_request("/profil", f"territoire=epci:{EPCI_A}")
    p = profil.profile("epci", EPCI_A)
    assert f"<h1>Profil du territoire : {html.escape(p.nom)}</h1>" in page
    ifn = profil.metric_texts(p.key_figures, "ifn")
    assert html.escape(ifn.shown, quote=False) in page and html.escape(ifn.caption, quote=False) in page
    view = carte.build_view("epci", EPCI_A, "ifn", "quantiles", ("epci", EPCI_A), height=480)
    assert view.legend in page
    assert len(_fills(page)) == sum(1 for c in COMMUNES if c[2] == EPCI_A) == 4
    other = first_view.for_request("/profil", f"territoire=epci:{EPCI_A}&profil_carte_indicateur=inconnu")
    assert other is None
