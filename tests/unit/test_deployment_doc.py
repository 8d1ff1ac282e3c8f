"""The deployment section says what stays public and how to close it (issue #18, failure 9)."""

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_metrics_endpoint_is_documented_with_a_proxy_rule():
    text = README.read_text(encoding="utf-8")
    deploy = text[text.index("## Déployer pour un atelier") : text.index("## English summary")]
    assert "/_stcore/metrics" in deploy
    assert "respond /_stcore/metrics* 404" in deploy and "location ^~ /_stcore/metrics" in deploy


def test_facilitator_rules_and_participant_downloads_are_documented():
    """Issue #18, failures 3 and 4: what the PIN guards and what a participant may download."""
    text = README.read_text(encoding="utf-8")
    deploy = text[text.index("## Déployer pour un atelier") : text.index("## English summary")]
    assert "8 caractères au moins" in deploy and "Gérer les ateliers" in deploy
    assert "peuvent\ntélécharger le brouillon" in deploy
