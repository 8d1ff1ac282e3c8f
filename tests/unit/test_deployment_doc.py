"""The deployment section says what stays public and how to close it (issue #18, failure 9)."""

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_metrics_endpoint_is_documented_with_a_proxy_rule():
    text = README.read_text(encoding="utf-8")
    deploy = text[text.index("## Déployer pour un atelier") : text.index("## English summary")]
    assert "/_stcore/metrics" in deploy
    assert "respond /_stcore/metrics* 404" in deploy and "location ^~ /_stcore/metrics" in deploy
