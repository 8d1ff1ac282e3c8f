"""One parent for every error the atlas raises on purpose.

Each class keeps its historical stdlib base as second parent, so `except FileNotFoundError` or
`except ValueError` written before still works, while the app can catch `AtlasError` alone: an
expected failure (missing base, unreachable source, refused selection) whose message is French and
shown as is, never a programming error hidden behind a bare `except Exception`.
"""

from __future__ import annotations

__all__ = ["AtlasError"]


class AtlasError(Exception):
    """An expected failure of the atlas; its message is French and can be shown to the user."""
