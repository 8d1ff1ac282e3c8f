"""The store's three failures, each with a French message shown as is."""

from __future__ import annotations

from indicateurs.errors import AtlasError

__all__ = ["AccessDenied", "EditConflict", "StoreUnavailable"]


class StoreUnavailable(AtlasError, RuntimeError):
    """The workshop database cannot be reached; the message is French and shown as is."""


class AccessDenied(AtlasError, PermissionError):
    """A facilitator action without the right PIN, or editing someone else's entry."""


class EditConflict(AtlasError, RuntimeError):
    """Someone else saved the same entry first (optimistic version check)."""
