"""A rerun looks maps up, it does not build them: what depends only on the scope is built once per server."""

from __future__ import annotations

from tests.synthetic import EPCI_A


def _count_builds(monkeypatch) -> list[str]:
    from indicateurs.render import maps
    from ui import folium_frames

    calls: list[str] = []
    for module, name in ((maps, "base_map"), (maps, "values_layer"), (folium_frames, "frame")):
        original = getattr(module, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return calls


def test_reruns_and_a_second_session_build_no_map(app, monkeypatch):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    for indicator in ("part_65_plus", "ifn"):  # the classes stay quantiles after part_65_plus
        at.selectbox(key="indicateur").set_value(indicator).run()
    assert not at.exception
    calls = _count_builds(monkeypatch)
    at.run()  # nothing changed
    at.selectbox(key="indicateur").set_value("part_65_plus").run()  # views seen before
    at.selectbox(key="indicateur").set_value("ifn").run()
    assert not at.exception
    assert calls == []
    other = type(app).from_file("../../app.py", default_timeout=120)  # another participant
    other.session_state["territoire"] = ("epci", EPCI_A)
    other.run()
    assert not other.exception
    assert calls == []


def test_a_new_view_builds_only_its_half(app, monkeypatch):
    at = app.run()
    at.selectbox(key="territoire_choisi").set_value(f"epci:{EPCI_A}").run()
    calls = _count_builds(monkeypatch)
    at.selectbox(key="indicateur").set_value("taux_chomage").run()  # new values, same map
    assert not at.exception
    assert calls == ["values_layer"]
