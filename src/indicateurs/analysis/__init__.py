"""Computations on the built base: scores, access distances, classes, profiles, comparisons."""
