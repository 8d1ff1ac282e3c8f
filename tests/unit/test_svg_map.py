"""The first view's map as SVG: Leaflet's projection and frame, whole pixels, relative moves."""

from __future__ import annotations

import math
import re

import pytest
from shapely.geometry import LineString, Polygon, box

from indicateurs.render.svg_map import Label, Lines, svg_choropleth

BOUNDS = [[40.0, -5.0], [50.0, 10.0]]  # [[S, W], [N, E]]


def _merc(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _pixel(lon: float, lat: float, width: int = 800, height: int = 600) -> tuple[float, float]:
    """Where Leaflet's fitBounds would put (lon, lat) in a width x height frame, worked out apart."""
    y0, y1 = _merc(40.0), _merc(50.0)
    scale = min(width / 15.0, height / (y1 - y0))
    return (lon - 2.5) * scale + width / 2, height / 2 - (_merc(lat) - (y0 + y1) / 2) * scale


def _absolute(d: str) -> list[list[tuple[int, int]]]:
    """Rings of a path 'Mx y l dx dy … z' as absolute points."""
    rings = []
    for move in re.findall(r"M[^M]+", d):
        numbers = [int(n) for n in re.findall(r"-?\d+", move)]
        x, y = numbers[0], numbers[1]
        ring = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def _shape_paths(svg: str) -> list[tuple[str, str]]:
    values = svg.split("<g ", 1)[1].split("</g>", 1)[0]
    return re.findall(r'<path fill="([^"]+)" d="([^"]+)"/>', values)


def test_shapes_are_placed_as_leaflet_frames_them():
    square = box(0.0, 44.0, 4.0, 46.0)
    svg = svg_choropleth([square], ["#ff0000"], BOUNDS, title="Essai")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600"')
    ((fill, d),) = _shape_paths(svg)
    assert fill == "#ff0000" and d.endswith("z")
    corners = {(round(x), round(y)) for x, y in (_pixel(0, 44), _pixel(4, 44), _pixel(4, 46), _pixel(0, 46))}
    (ring,) = _absolute(d)
    assert {p for p in ring} == corners
    # the middle of the bounds is the middle of the frame
    assert [
        round(v)
        for v in _pixel(2.5, math.degrees(math.atan(math.sinh(math.radians((_merc(40) + _merc(50)) / 2)))))
    ] == [400, 300]


def test_one_path_per_shape_in_order_and_holes_kept():
    ring = Polygon(box(0, 41, 8, 49).exterior.coords, [box(2, 43, 6, 47).exterior.coords])
    svg = svg_choropleth([box(-4, 41, -1, 44), ring], ["#111111", "#222222"], BOUNDS)
    paths = _shape_paths(svg)
    assert [fill for fill, _ in paths] == ["#111111", "#222222"]
    assert len(_absolute(paths[1][1])) == 2  # outer ring and hole
    assert 'fill-rule="evenodd"' in svg


def test_missing_or_subpixel_shapes_draw_nothing_but_keep_the_order():
    tiny = box(1.0, 45.0, 1.001, 45.001)  # well under a pixel
    svg = svg_choropleth([None, tiny, box(0, 44, 4, 46)], ["#aaaaaa", "#bbbbbb", "#cccccc"], BOUNDS)
    assert [fill for fill, _ in _shape_paths(svg)] == ["#cccccc"]


def test_lines_labels_and_title_are_drawn_and_escaped():
    svg = svg_choropleth(
        [box(0, 44, 4, 46)],
        ["#ff0000"],
        BOUNDS,
        lines=[
            Lines([LineString([(0, 44), (4, 46)])], "#1f4e9c", 2.5, "6 4"),
            Lines([box(0, 44, 4, 46)], "#000000", 4),
        ],
        labels=[Label(-4.0, 49.0, "Guadeloupe <&>")],
        title="Indice <b>",
    )
    assert "<title>Indice &lt;b&gt;</title>" in svg
    dashed = re.search(
        r'<path fill="none" stroke="#1f4e9c" stroke-width="2.5" stroke-linejoin="round" stroke-dasharray="6 4" d="([^"]+)"',
        svg,
    )
    assert dashed and not dashed.group(1).endswith("z")  # an open line stays open
    assert 'stroke="#000000" stroke-width="4"' in svg
    assert "Guadeloupe &lt;&amp;&gt;</text>" in svg
    assert svg.index('stroke="#1f4e9c"') > svg.index("</g>")  # lines over the shapes


def test_mismatched_colours_are_refused_in_french():
    with pytest.raises(ValueError, match="2 formes pour 1 couleurs"):
        svg_choropleth([box(0, 44, 1, 45), box(1, 44, 2, 45)], ["#000000"], BOUNDS)
