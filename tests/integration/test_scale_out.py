"""Scale-out on a real proxy: nginx and two `streamlit run app.py` instances, driven at the protocol level.

Checks what a room relies on: each browser keeps its instance (sticky cookie, WebSocket included),
both instances share the same workshop store, and a crashed instance loses no workshop data (the
participant's next page load lands on the other instance, which sees what was saved). The
throughput with 1 and 2 instances is printed by `python -m bench.ws_load debit --instances 1 2`,
not asserted here.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import date

import pytest

from tests.conftest import ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.proxy,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        shutil.which("nginx") is None,
        reason="nginx absent : installez-le (apt-get install nginx ; .ci/run le fait) pour ce test",
    ),
]

TERRITORY = ("epci", "200041523")
TITLE = "Atelier du test de répartition"


@pytest.fixture(scope="module")
def atlas(built_store, tmp_path_factory):
    """Two instances behind nginx, one shared SQLite workshop file with one workshop in it."""
    from indicateurs.atelier import open_store
    from indicateurs.cli.servir import cluster

    url = f"sqlite:///{tmp_path_factory.mktemp('atelier') / 'atelier.sqlite'}"
    store = open_store(url)
    atelier = store.create_atelier(*TERRITORY, TITLE, date(2026, 5, 12))
    env = {"INDICATEURS_DATA": str(built_store), "DATABASE_URL": url}
    with cluster(2, root=ROOT, env=env) as c:
        yield c, store, atelier


def _run(coro):
    return asyncio.run(coro)


def test_each_browser_keeps_its_instance_and_both_are_used(atlas):
    from bench.ws_load import Participant

    c, _, _ = atlas

    async def visit():
        people = [Participant(c.url, timeout=60) for _ in range(16)]
        try:
            for p in people:
                await p.connect("/carte")  # page load (cookie set) then WebSocket
                p._http_get("/carte")  # a reload with the cookie
            return [list(p.upstreams) for p in people]
        finally:
            await asyncio.gather(*(p.close() for p in people))

    seen = _run(visit())
    ports = {f"127.0.0.1:{i.port}" for i in c.instances}
    for upstreams in seen:
        assert len(upstreams) == 3  # page, WebSocket, reload: each answered by nginx with its upstream
        assert len(set(upstreams)) == 1, upstreams
        assert upstreams[0] in ports
    # 16 random keys on 2 instances: all on one would happen once in 30 000 runs
    assert {u[0] for u in seen} == ports


def test_short_room_through_the_proxy_has_no_error(atlas):
    from bench.ws_load import salle

    c, _, _ = atlas
    tally, wall = salle(c.url, 4, 12, think=(0.5, 1.5), timeout=240)
    assert tally.errors == []
    assert len(tally.times["ouvrir_carte"]) == 4
    assert sum(tally.upstreams.values()) == 4  # one instance per participant
    print(f"\n{len(tally.all_times())} interactions en {wall:.1f} s par le proxy")


def test_both_instances_show_the_same_workshop(atlas):
    from bench.ws_load import Participant

    c, _, atelier = atlas

    async def options_on(url):
        p = Participant(url, timeout=240)
        try:
            await p.connect("/atelier")
            result = await p.open("atelier", {"territoire": ":".join(TERRITORY), "atelier": str(atelier.id)})
            assert result.exceptions == []
            return p.options("atelier_choisi")
        finally:
            await p.close()

    for i in range(len(c.instances)):
        assert _run(options_on(c.instance_url(i))) == [f"{TITLE} — 12/05/2026"]


def test_killing_an_instance_loses_no_workshop_data(atlas):
    from bench.ws_load import Participant

    c, store, atelier = atlas
    text = "Pas de médiateur numérique le samedi dans les bourgs"
    query = {"territoire": ":".join(TERRITORY), "atelier": str(atelier.id)}

    async def save():
        p = Participant(c.url, timeout=240)
        try:
            await p.connect("/atelier")
            await p.open("atelier", query)
            await p.set("enjeu_texte", text)
            result = await p.click("enjeu_enregistrer")
            assert result.exceptions == []
            return p.cookies, p.upstreams[-1]
        finally:
            await p.close()

    cookies, upstream = _run(save())
    assert [e.texte for e in store.list_enjeux(atelier.id)] == [text]
    victim = next(i for i, inst in enumerate(c.instances) if upstream.endswith(f":{inst.port}"))
    c.kill_instance(victim)
    try:

        async def come_back():
            p = Participant(c.url, timeout=240, cookies=cookies)  # the same browser reloads the page
            try:
                await p.connect("/atelier")
                result = await p.open("atelier", query)
                assert result.exceptions == []
                return p.upstreams, p.texts
            finally:
                await p.close()

        upstreams, texts = _run(come_back())
        ports = {f"127.0.0.1:{i.port}" for i in c.instances}
        final = upstreams[-1].split(",")[-1].strip()  # nginx lists every upstream it tried
        assert final in ports and final != upstream  # now served by the surviving instance
        assert text in texts
        assert [e.texte for e in store.list_enjeux(atelier.id)] == [text]
    finally:
        c.restart_instance(victim)
