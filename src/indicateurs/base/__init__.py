"""The built base, read-only: `load_base()` and the `Base` every view uses."""

from indicateurs.base.reader import (
    GEO_SOURCES,
    Base,
    BaseBuildError,
    BaseCorruptError,
    BaseMissingError,
    load_base,
)

__all__ = ["GEO_SOURCES", "Base", "BaseBuildError", "BaseCorruptError", "BaseMissingError", "load_base"]
