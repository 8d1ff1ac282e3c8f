"""Every error the package raises on purpose has one parent, so the app can catch it alone."""

import importlib
import inspect
import pkgutil

import indicateurs
from indicateurs.errors import AtlasError


def _exception_classes():
    found = {}
    for info in pkgutil.walk_packages(indicateurs.__path__, "indicateurs."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_exception_class_subclasses_atlas_error():
    classes = _exception_classes()
    assert "indicateurs.base.reader.BaseMissingError" in classes
    assert len(classes) >= 10
    assert [name for name, cls in classes.items() if not issubclass(cls, AtlasError)] == []


def test_stdlib_bases_are_kept():
    from indicateurs.analysis.compare import SelectionError
    from indicateurs.atelier import AccessDenied, StoreUnavailable
    from indicateurs.base import BaseMissingError
    from indicateurs.sources.fetch import FetchError

    assert issubclass(BaseMissingError, FileNotFoundError)
    assert issubclass(AccessDenied, PermissionError)
    assert issubclass(StoreUnavailable, RuntimeError)
    assert issubclass(SelectionError, ValueError)
    error = FetchError("Source introuvable", source_id="insee_pop", url="https://example.org")
    assert isinstance(error, AtlasError) and error.source_id == "insee_pop"
