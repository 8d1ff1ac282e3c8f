"""The indicator registry (`indicators.toml`): label, unit, direction, source, millésime, aggregation."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from indicateurs.config import millesimes
from indicateurs.reference.catalogue import Source, find_source, get_source
from indicateurs.reference.levels import LEVEL_IDS
from indicateurs.reference.text import did_you_mean, format_number, with_detail

__all__ = [
    "STATUSES",
    "Indicator",
    "Registry",
    "Theme",
    "format_value",
    "get_indicator",
    "headline_ids",
    "list_indicators",
    "list_themes",
    "registry",
    "registry_of",
    "status_text",
    "theme_ids",
]

_REGISTRY = Path(__file__).with_name("indicators.toml")
COMPUTED = "atlas"  # source id of the figures this product computes itself (no file to fetch)
_COMPUTED_SOURCE = Source(
    id=COMPUTED,
    title="Calculs de l'Atlas (indice composite, distances aux lieux)",
    theme="scores",
    producer="Atlas de l'inclusion numérique",
    citation="Calcul Atlas de l'inclusion numérique (voir Sources et méthode)",
    licence="MIT (code) ; mêmes licences que les sources utilisées",
    millesime="selon les sources utilisées",
    url="",
    mirror_path="",
    file="",
    format="calcul",
    relation="calculé",
    notes="Voir la page « Sources et méthode ».",
)
LEVELS = LEVEL_IDS


@dataclass(frozen=True)
class Indicator:
    """What a figure means and how it is made; every displayed number carries one."""

    id: str
    label: str
    short: str
    unit: str
    decimals: int
    direction: int
    theme: str
    source: str
    millesime: str
    aggregation: str
    description: str
    weight: str | None = None
    composite: bool = False
    concerned: str | None = None
    levels: tuple[str, ...] = field(default=LEVELS)
    headline: int | None = None  # order among the headline figures; None: not a headline figure
    # What the rate is a share of (shown on the Sources page: not every rate is a share of the population).
    denominator: str = ""
    # Above the commune, the share of the population behind a value below which it is not shown as a
    # plain figure (replaced by its estimate, flagged « estimé », or left out: « couverture insuffisante »).
    min_coverage: float = 0.0
    # How secret or missing communes are estimated above the commune ("" = they are not).
    estimate: str = ""
    # Composite index only: inputs needed out of the default set, else no score.
    min_inputs: int = 0
    # The catalogue mode this entry was read for (`figes`/`courants`): where its source is described.
    catalogue: str = ""

    @property
    def source_entry(self) -> Source:
        if self.source == COMPUTED:
            return _COMPUTED_SOURCE
        return find_source(self.source, self.catalogue or None)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def citation(self) -> str:
        """'Producer, dataset (millésime)': the caption that goes under every figure.

        Never two pairs of brackets in a row nor one inside another: a citation that already ends with
        brackets takes the millésime after a comma, and the millésime's own brackets become commas.
        """
        return with_detail(self.source_entry.citation, self.millesime)


@dataclass(frozen=True)
class Theme:
    """A group of indicators on screen: `label` as a heading, `short` inside a sentence or a sheet name."""

    id: str
    label: str
    short: str


@cache
def _raw() -> dict:
    with _REGISTRY.open("rb") as f:
        return tomllib.load(f)


@cache
def _themes() -> dict[str, Theme]:
    return {t["id"]: Theme(**t) for t in _raw()["themes"]}


def _load(mode: str | None = None) -> dict[str, Indicator]:
    """The registry of `mode`; without one, of this process's setting (`INDICATEURS_MILLESIMES`: the
    build's own mode). A view reads the registry of the base it shows (`Base.registry`)."""
    return _load_mode(mode or millesimes())


@cache
def _load_mode(mode: str) -> dict[str, Indicator]:
    """An entry's `[indicators.courant]` table replaces some of its fields with the newest releases
    (another source, its counts aggregated as a ratio, another denominator said in the label)."""
    raw = _raw()
    themes = _themes()
    out = {}
    for entry in raw["indicators"]:
        entry = dict(entry)
        current = entry.pop("courant", None)
        if current and mode == "courants":
            entry.update(current)
        if "levels" in entry:
            entry["levels"] = tuple(entry["levels"])
        ind = Indicator(**entry, catalogue=mode)
        if ind.theme not in themes:
            raise ValueError(f"Thème inconnu pour {ind.id} : {ind.theme!r}.{did_you_mean(ind.theme, themes)}")
        if ind.source != COMPUTED:
            get_source(ind.source, mode=mode)  # fail early on a typo in the registry
        out[ind.id] = ind
    return out


@dataclass(frozen=True)
class Registry:
    """The indicators as one catalogue mode defines them (`figes` or `courants`): labels, sources,
    denominators and texts of the census indicators differ between the two. A base carries the
    registry of the mode it was BUILT in (`Base.registry`), whatever the process's setting."""

    mode: str
    # Indicators whose values fell back on the pinned source in a current build (the census rates of
    # RP 2017 when INSEE's files were unreachable): their pinned entry describes them.
    fallen: frozenset[str] = frozenset()

    def get(self, indicator_id: str) -> Indicator:
        mode = "figes" if indicator_id in self.fallen else self.mode
        return get_indicator(indicator_id, mode=mode)

    def list(self, theme: str | None = None) -> list[Indicator]:
        return [self.get(i.id) for i in list_indicators(theme, mode=self.mode)]

    def headline_ids(self) -> tuple[str, ...]:
        return headline_ids(mode=self.mode)

    def theme_ids(self, theme: str, *, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
        return theme_ids(theme, exclude=exclude, mode=self.mode)


def registry(mode: str | None = None) -> Registry:
    """The registry of `mode` (`figes`/`courants`); without one, of this process's setting."""
    return Registry(mode or millesimes())


def registry_of(base) -> Registry:
    """The registry a view must read for `base` (`base.registry`); the process's one for an object that
    carries none (a test's stand-in)."""
    return getattr(base, "registry", None) or registry()


def list_indicators(theme: str | None = None, *, mode: str | None = None) -> list[Indicator]:
    """All indicators, or those of one theme, in registry order."""
    return [i for i in _load(mode).values() if theme is None or i.theme == theme]


def list_themes() -> list[Theme]:
    """The themes in screen order."""
    return list(_themes().values())


def theme_ids(theme: str, *, exclude: tuple[str, ...] = (), mode: str | None = None) -> tuple[str, ...]:
    """Ids of the indicators of `theme` in registry order, without `exclude`."""
    return tuple(i.id for i in list_indicators(theme, mode=mode) if i.id not in exclude)


def headline_ids(*, mode: str | None = None) -> tuple[str, ...]:
    """The headline indicators (flag `headline = N` in indicators.toml), in their order N."""
    flagged = [i for i in list_indicators(mode=mode) if i.headline is not None]
    return tuple(i.id for i in sorted(flagged, key=lambda i: i.headline))


def get_indicator(indicator_id: str, *, mode: str | None = None) -> Indicator:
    """The registry entry of `indicator_id` (in `mode`, else this process's); a ValueError with close
    matches otherwise."""
    indicators = _load(mode)
    if indicator_id not in indicators:
        raise ValueError(f"Indicateur inconnu : {indicator_id!r}.{did_you_mean(indicator_id, indicators)}")
    return indicators[indicator_id]


SECRET = "donnée non disponible (secret statistique)"
# Per-value status stored in the base (column `statut`): why a figure is what it is, from the data.
COMPLETE = "complet"
ESTIMATED = "estimé"
THIN = "couverture insuffisante"
SECRET_STATUS = "secret statistique"
NOT_COVERED = "non couvert par la source"
UNAVAILABLE = "non disponible"
STATUSES = (COMPLETE, ESTIMATED, THIN, SECRET_STATUS, NOT_COVERED, UNAVAILABLE)


def status_text(
    value: float | None,
    indicator: Indicator | str,
    status: str | None,
    coverage=None,
    note: str | None = None,
) -> str:
    """The figure as a workshop should read it: '18,5 % (estimé)', 'non disponible : 12 % de la population
    couverte', 'donnée non couverte par la source'... Falls back on `format_value` when no status is known."""
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if status is None or (isinstance(status, float) and math.isnan(status)) or status == "":
        return format_value(value, ind)
    if not missing:
        text = format_value(value, ind)
        if isinstance(note, str) and "recensement de 2017" in note:
            text += " (recensement de 2017)"  # Mayotte: no legal population 2023, said next to the figure
        return f"{text} (estimé)" if status == ESTIMATED else text
    if status == THIN:
        if ind.aggregation == "score" and isinstance(note, str) and note:
            return note  # the composite: "Indice non calculé : 1 indicateur disponible sur 6..."
        if coverage is not None and not (isinstance(coverage, float) and math.isnan(coverage)):
            return f"non disponible : {coverage * 100:.0f}\u00a0% de la population couverte"
        return "non disponible : couverture insuffisante"
    if status == SECRET_STATUS:
        return SECRET
    if status == NOT_COVERED:
        return "donnée non couverte par la source"
    return "donnée non disponible"


def format_value(value: float | None, indicator: Indicator | str, *, with_unit: bool = True) -> str:
    """French formatting: '31,2 %', '12 345 hab.', '6,4 / 10'; missing values say why, never 0 or nan."""
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SECRET if ind.source == "insee_comparateur_2022" else "donnée non disponible"
    if ind.unit == "%":
        text = format_number(value * 100, ind.decimals)
        return f"{text}\u00a0%" if with_unit else text
    text = format_number(value, ind.decimals)
    if not with_unit:
        return text
    if ind.unit == "score":
        return f"{text}\u00a0/\u00a010"
    return f"{text}\u00a0{ind.unit}"
