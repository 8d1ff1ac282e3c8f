"""The method notebook runs end to end on the real base (so it cannot rot)."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "methode_scores.ipynb"


def test_method_notebook_executes(built_store, monkeypatch):
    # the kernel is a subprocess: point it at this checkout's code and at the test store
    monkeypatch.setenv("PYTHONPATH", f"{ROOT / 'src'}:{ROOT}")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    elapsed = time.perf_counter() - start
    print(f"notebook executed in {elapsed:.1f} s")
    outputs = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert "Spearman composite / IFN" in outputs
    assert "nan" not in outputs.split("Spearman")[1].split("\n")[0]
