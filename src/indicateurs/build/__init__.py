"""The heavy build (sources -> base), kept apart from the light reader so that views never import it."""

from indicateurs.build.pipeline import build_base

__all__ = ["build_base"]
