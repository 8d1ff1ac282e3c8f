"""The store's three failures, each with a French message shown as is."""

from __future__ import annotations

__all__ = ["AccessDenied", "EditConflict", "StoreUnavailable"]


class StoreUnavailable(RuntimeError):
    """The workshop database cannot be reached; the message is French and shown as is."""


class AccessDenied(PermissionError):
    """A facilitator action without the right PIN, or editing someone else's entry."""


class EditConflict(RuntimeError):
    """Someone else saved the same entry first (optimistic version check)."""
