"""Workshop storage: the same tests on SQLite and on PostgreSQL (DATABASE_URL_TEST)."""

from __future__ import annotations

import io
import os
import threading
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from indicateurs.atelier import (
    AccessDenied,
    EditConflict,
    Evidence,
    StoreUnavailable,
    collect,
    open_store,
    to_csv,
    to_markdown,
    to_xlsx,
)
from indicateurs.atelier.schema import MIGRATIONS

PIN = "4827-animation"
EPCI = ("epci", "200041523")


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL_TEST")
    if not url:
        pytest.skip(
            "DATABASE_URL_TEST n'est pas défini : lancer `source .ci/postgres.sh` pour tester PostgreSQL"
        )
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, empty database URL per test: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atelier.sqlite'}"
        return
    admin_url = sa.engine.make_url(_postgres_url())
    name = f"atelier_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL injoignable via DATABASE_URL_TEST : {error.orig}")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def store(db_url, monkeypatch):
    monkeypatch.setenv("ATELIER_PIN", PIN)
    opened = open_store(db_url)
    yield opened
    opened.dispose()


@pytest.fixture
def atelier(store):
    return store.create_atelier(*EPCI, "Atelier feuille de route")


def _evidence(indicator_id="part_65_plus", sens="appuie", value=0.312, rank=12):
    return Evidence(indicator_id, sens, value, rank, 1254, "insee_comparateur_2022", "RP 2018", *EPCI)


# ---------------------------------------------------------------------------------------------- basics


def test_create_and_list_enjeux_with_evidence(store, atelier):
    first = store.add_enjeu(
        atelier.id,
        "Les seniors isolés n'ont pas d'accompagnement",
        "accompagnement",
        communes=["79048", "79049"],
        auteur="Léa",
        author_key="session-lea",
        evidence=[_evidence(), _evidence("taux_pauvrete", "contredit", None, None)],
    )
    store.add_enjeu(atelier.id, "Zones blanches 4G", "Accès", auteur="Marc")
    enjeux = store.list_enjeux(atelier.id)
    assert [e.texte for e in enjeux] == ["Les seniors isolés n'ont pas d'accompagnement", "Zones blanches 4G"]
    assert enjeux[1].categorie == "acces"  # the label is accepted and stored as its key
    got = enjeux[0]
    assert got.id == first.id and got.version == 1 and got.communes == ("79048", "79049")
    assert got.owned_by("session-lea") and not got.owned_by("session-marc")
    by_id = {ev.indicator_id: ev for ev in got.evidence}
    assert by_id["part_65_plus"].value == pytest.approx(0.312)
    assert by_id["part_65_plus"].rank == 12 and by_id["part_65_plus"].rank_total == 1254
    assert by_id["taux_pauvrete"].sens == "contredit" and by_id["taux_pauvrete"].value is None
    assert store.count_by_categorie(atelier.id) == {
        "acces": 1,
        "competences": 0,
        "accompagnement": 1,
        "gouvernance": 0,
        "autre": 0,
    }
    assert [a.titre for a in store.list_ateliers(*EPCI)] == ["Atelier feuille de route"]
    assert store.list_ateliers("epci", "200000000") == []


def test_text_is_stored_as_given(store, atelier):
    text = (
        "<b>gras</b> **étoiles** [lien](javascript:alert(1)) =SOMME(A1) 'quote' \"dq\" ; DROP TABLE enjeu;--"
    )
    store.add_enjeu(atelier.id, text, "autre", auteur="<i>x</i>")
    (got,) = store.list_enjeux(atelier.id)
    assert got.texte == text and got.auteur == "<i>x</i>"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"texte": "   "}, "Le texte de l'enjeu est vide"),
        ({"texte": "x" * 601}, r"trop long \(601 caractères, 600 au maximum\)"),
        ({"auteur": "y" * 81}, "Le nom de l'auteur est trop long"),
        ({"categorie": "finance"}, "Catégorie inconnue"),
        ({"communes": ["1A001"]}, "Code commune invalide"),  # was accepted before the shared rule
        ({"texte": "nul\x00"}, "caractère invalide"),
    ],
)
def test_bad_input_gets_a_french_message(store, atelier, kwargs, message):
    args = {"texte": "Un enjeu", "categorie": "acces", **kwargs}
    with pytest.raises(ValueError, match=message):
        store.add_enjeu(atelier.id, args.pop("texte"), args.pop("categorie"), **args)
    assert store.list_enjeux(atelier.id) == []


def test_unknown_atelier_is_refused(store):
    with pytest.raises(ValueError, match="Atelier introuvable"):
        store.add_enjeu(9999, "Un enjeu", "acces")


def test_request_id_makes_a_retried_save_idempotent(store, atelier):
    a = store.add_enjeu(atelier.id, "Même clic deux fois", "acces", request_id="req-1")
    b = store.add_enjeu(atelier.id, "Même clic deux fois", "acces", request_id="req-1")
    assert a.id == b.id
    assert len(store.list_enjeux(atelier.id)) == 1


# ---------------------------------------------------------------------------------------------- rights


def test_author_edits_own_entry_but_not_others_without_pin(store, atelier):
    mine = store.add_enjeu(atelier.id, "Le mien", "acces", author_key="moi")
    theirs = store.add_enjeu(atelier.id, "Le sien", "acces", author_key="autre")
    edited = store.update_enjeu(mine.id, expected_version=1, texte="Le mien, précisé", author_key="moi")
    assert edited.texte == "Le mien, précisé" and edited.version == 2
    with pytest.raises(AccessDenied, match="Seul l'auteur"):
        store.update_enjeu(theirs.id, expected_version=1, texte="effacé", author_key="moi")
    with pytest.raises(AccessDenied):
        store.update_enjeu(theirs.id, expected_version=1, texte="effacé", author_key="moi", pin="0000")
    with pytest.raises(AccessDenied):
        store.delete_enjeu(theirs.id, author_key="moi")
    assert store.get_enjeu(theirs.id).texte == "Le sien"
    store.update_enjeu(theirs.id, expected_version=1, categorie="competences", pin=PIN)
    store.delete_enjeu(theirs.id, pin=PIN)
    store.delete_enjeu(mine.id, author_key="moi")
    assert store.list_enjeux(atelier.id) == []


def test_without_configured_pin_facilitator_actions_are_refused(store, atelier, monkeypatch):
    theirs = store.add_enjeu(atelier.id, "Le sien", "acces", author_key="autre")
    monkeypatch.delenv("ATELIER_PIN")
    with pytest.raises(AccessDenied, match="ATELIER_PIN"):
        store.add_chantier(atelier.id, "Chantier", pin="")
    with pytest.raises(AccessDenied):
        store.delete_enjeu(theirs.id, pin="")
    assert len(store.list_enjeux(atelier.id)) == 1


def test_optimistic_version_check_prevents_lost_update(store, atelier):
    enjeu = store.add_enjeu(atelier.id, "Version 1", "acces", author_key="moi")
    store.update_enjeu(enjeu.id, expected_version=1, texte="Version de l'animateur", pin=PIN)
    with pytest.raises(EditConflict, match="modifié par quelqu'un d'autre"):
        store.update_enjeu(enjeu.id, expected_version=1, texte="Version de l'auteur", author_key="moi")
    assert store.get_enjeu(enjeu.id).texte == "Version de l'animateur"


# ---------------------------------------------------------------------------------------------- chantiers


def test_group_enjeux_into_chantiers_and_record_gouvernance(store, atelier):
    e1 = store.add_enjeu(atelier.id, "Seniors isolés", "accompagnement")
    e2 = store.add_enjeu(atelier.id, "Peu de médiateurs", "accompagnement")
    e3 = store.add_enjeu(atelier.id, "Zones blanches", "acces")
    with pytest.raises(AccessDenied):
        store.add_chantier(atelier.id, "Sans code", pin="mauvais")
    ch = store.add_chantier(
        atelier.id,
        "Aller vers les seniors",
        pin=PIN,
        objectif="Toucher 200 seniors",
        pilote="CCAS",
        horizon="6 à 12 mois",
        enjeu_ids=[e1.id, e2.id],
    )
    assert ch.enjeu_ids == (e1.id, e2.id) and ch.pilote == "CCAS"
    store.link_enjeu(ch.id, e3.id, pin=PIN)
    store.link_enjeu(ch.id, e3.id, pin=PIN)  # twice: no duplicate
    store.unlink_enjeu(ch.id, e1.id, pin=PIN)
    assert store.get_chantier(ch.id).enjeu_ids == (e2.id, e3.id)
    other = store.create_atelier(*EPCI, "Un autre atelier")
    foreign = store.add_enjeu(other.id, "Ailleurs", "autre")
    with pytest.raises(ValueError, match="introuvable dans cet atelier"):
        store.link_enjeu(ch.id, foreign.id, pin=PIN)
    store.delete_enjeu(e2.id, pin=PIN)
    assert store.list_chantiers(atelier.id)[0].enjeu_ids == (e3.id,)
    updated = store.update_chantier(ch.id, expected_version=1, pin=PIN, premiere_action="Réunion le 12")
    assert updated.premiere_action == "Réunion le 12" and updated.version == 2
    with pytest.raises(EditConflict):
        store.update_chantier(ch.id, expected_version=1, pin=PIN, titre="Écrasé")

    g = store.set_gouvernance(
        atelier.id, pin=PIN, pilotage="Communauté de communes", frequence="Trimestrielle"
    )
    assert g.version == 1 and store.get_gouvernance(atelier.id).pilotage == "Communauté de communes"
    g2 = store.set_gouvernance(
        atelier.id, pin=PIN, pilotage="Comité", participants="CCAS, EPN", expected_version=1
    )
    assert g2.version == 2 and g2.participants == "CCAS, EPN"
    with pytest.raises(EditConflict):
        store.set_gouvernance(atelier.id, pin=PIN, pilotage="Vieux", expected_version=1)


# ---------------------------------------------------------------------------------------------- concurrency


def test_concurrent_writers_lose_and_duplicate_nothing(store, atelier):
    writers, per_writer = 30, 20
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def write(w: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                store.add_enjeu(
                    atelier.id,
                    f"enjeu {w}-{i}",
                    "acces",
                    author_key=f"w{w}",
                    evidence=[_evidence(value=w + i / 100)],
                    request_id=f"{w}-{i}",
                )
        except BaseException as error:  # reported below
            errors.append(error)

    seen: list[int] = []
    done = threading.Event()

    def project() -> None:  # the projector polls while everyone writes
        try:
            while not done.is_set():
                seen.append(sum(store.count_by_categorie(atelier.id).values()))
                store.list_enjeux(atelier.id)
        except BaseException as error:
            errors.append(error)

    projector = threading.Thread(target=project)
    projector.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    done.set()
    projector.join(timeout=60)
    assert errors == []
    assert seen and seen == sorted(seen)  # the projector's count only grows
    enjeux = store.list_enjeux(atelier.id)
    texts = [e.texte for e in enjeux]
    assert len(texts) == writers * per_writer
    assert set(texts) == {f"enjeu {w}-{i}" for w in range(writers) for i in range(per_writer)}
    assert all(len(e.evidence) == 1 for e in enjeux)
    assert store.count_by_categorie(atelier.id)["acces"] == writers * per_writer


def test_concurrent_edits_of_one_entry_keep_exactly_one_winner_per_version(store, atelier):
    enjeu = store.add_enjeu(atelier.id, "v1", "acces")
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def edit(n: int) -> None:
        barrier.wait()
        try:
            store.update_enjeu(enjeu.id, expected_version=1, texte=f"édition {n}", pin=PIN)
            outcomes.append("ok")
        except EditConflict:
            outcomes.append("conflit")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflit"] * 9 + ["ok"]
    assert store.get_enjeu(enjeu.id).version == 2


# ---------------------------------------------------------------------------------------------- schema


def test_migrations_are_idempotent(store, db_url, atelier):
    store.add_enjeu(atelier.id, "Conservé", "acces")
    latest = max(v for v, _, _ in MIGRATIONS)
    assert store.schema_version() == latest
    assert store.migrate() == latest
    again = open_store(db_url)  # a second process starting on the same database
    try:
        assert again.schema_version() == latest
        assert [e.texte for e in again.list_enjeux(atelier.id)] == ["Conservé"]
        with again.engine.connect() as conn:
            versions = (
                conn.execute(sa.text("SELECT version FROM schema_version ORDER BY version")).scalars().all()
            )
        assert versions == [v for v, _, _ in MIGRATIONS]
    finally:
        again.dispose()


def test_an_older_database_is_migrated_forward(db_url, monkeypatch):
    from indicateurs.atelier import schema

    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:1])  # the app as it was at version 1
    old = open_store(db_url)
    atelier = old.create_atelier(*EPCI, "Avant la mise à jour")
    old.add_enjeu(atelier.id, "Saisi en version 1", "acces")
    assert old.schema_version() == 1
    assert not sa.inspect(old.engine).has_table("lieu_local")
    old.dispose()
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS)
    new = open_store(db_url)
    try:
        assert new.schema_version() == max(v for v, _, _ in MIGRATIONS)
        assert sa.inspect(new.engine).has_table("lieu_local")
        assert [e.texte for e in new.list_enjeux(atelier.id)] == ["Saisi en version 1"]
        assert (
            new.add_local_places([{"nom": "EPN", "type": "Lieu de médiation", "code_commune": "79048"}])[0]
            == 1
        )
    finally:
        new.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        opened.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing",
        "sqlite:////proc/atelier-impossible/atelier.sqlite",
        "pas-une-url",
    ],
)
def test_unreachable_database_raises_store_unavailable(url):
    with pytest.raises(StoreUnavailable, match="inaccessible") as info:
        open_store(url)
    assert "secret" not in str(info.value)


def test_default_store_is_sqlite_under_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "store"))
    opened = open_store()
    try:
        assert opened.backend == "sqlite"
        assert (tmp_path / "store" / "atelier.sqlite").exists()
    finally:
        opened.dispose()


# ---------------------------------------------------------------------------------------------- local places


def test_local_places_keep_good_rows_and_report_bad_ones(store, atelier):
    records = [
        {
            "nom": "EPN de la mairie",
            "type": "Lieu de médiation",
            "code_commune": "79048",
            "horaires": "mar. 9h-12h",
        },
        {"nom": "Café numérique", "type": "Aidants Connect", "latitude": "46,42", "longitude": "-0.21"},
        {"nom": "", "type": "lieu_mediation", "adresse": "1 rue A", "code_commune": "79048"},
        {
            "nom": "Adresse seule",
            "type": "lieu_mediation",
            "adresse": "1 rue A",
        },  # the store used to accept it
        {"nom": "Latitude seule", "type": "lieu_mediation", "latitude": 46.1},
        {"nom": "Hors carte", "type": "lieu_mediation", "latitude": 146.1, "longitude": 0},
        {"nom": "Ain", "type": "France Services", "code_commune": 1004.0},  # as read from a spreadsheet
        {"nom": "Trop long", "type": "lieu_mediation", "code_commune": "79048", "adresse": "a" * 301},
        {"nom": "Code à lettre", "type": "lieu_mediation", "code_commune": "1A001"},  # the store accepted it
        {"nom": "Tiers-lieu", "type": "Tiers-lieu", "code_commune": "79048"},  # not a type the map draws
    ]
    added, errors = store.add_local_places(records, territoire=EPCI, atelier_id=atelier.id)
    assert added == 3
    assert [line for line, _ in errors] == [4, 5, 6, 7, 9, 10, 11]  # data lines of a CSV, from 2
    errors = [reason for _, reason in errors]
    assert not any(reason.startswith("Ligne") for reason in errors)  # the page formats them
    assert "le nom du lieu est vide" in errors[0]
    assert "impossible à situer" in errors[1]
    assert "latitude ou longitude absente" in errors[2]
    assert "hors de France" in errors[3]
    assert "l'adresse est trop long (301 caractères, 300 au maximum)" in errors[4]
    assert "« 1A001 » mal formé" in errors[5]
    assert "type « Tiers-lieu » inconnu" in errors[6]
    places = store.list_local_places(territoire=EPCI)
    assert places["nom"].tolist() == ["EPN de la mairie", "Café numérique", "Ain"]
    assert places["code_commune"].tolist()[::2] == ["79048", "01004"]
    assert places["latitude"].iloc[1] == pytest.approx(46.42)
    assert places["type"].tolist() == ["lieu_mediation", "aidants_connect", "france_services"]
    assert places["local"].all() and (places["source"] == "Ajout local (atelier)").all()

    again, dup_errors = store.add_local_places(records[:2], territoire=EPCI, lines=[12, None])
    assert again == 0 and [line for line, _ in dup_errors] == [12, None]
    assert all("déjà enregistré" in reason for _, reason in dup_errors)
    assert len(store.list_local_places(territoire=EPCI)) == 3
    assert store.list_local_places(communes=["79048"])["nom"].tolist() == ["EPN de la mairie"]
    assert store.list_local_places(territoire=("epci", "245900410")).empty
    assert len(store.list_local_places()) == 3
    every_commune = [f"{d:02d}{n:03d}" for d in range(1, 96) for n in range(1, 400)]  # ~37 000 codes
    assert store.list_local_places(communes=every_commune)["nom"].tolist() == ["EPN de la mairie", "Ain"]
    with pytest.raises(AccessDenied):
        store.delete_local_place(int(places["id"].iloc[0]), pin="0")
    store.delete_local_place(int(places["id"].iloc[0]), pin=PIN)
    assert len(store.list_local_places(atelier_id=atelier.id)) == 2


@pytest.mark.parametrize(
    ("fields", "accepted"),
    [
        (
            {"adresse": "1 place de la Mairie"},
            False,
        ),  # an address alone: the form refused it, the store did not
        ({"code_commune": "1A001"}, False),  # the store's old pattern accepted it, the form's did not
        ({"code_commune": "2A004"}, True),  # Corsica
        ({"code_commune": "97101"}, True),  # Guadeloupe
        ({"code_commune": "98818"}, True),  # Nouvelle-Calédonie
        ({"code_commune": "99101"}, False),  # 99: a foreign country, not a commune
        ({"code_commune": "20004"}, False),  # Corsica is 2A/2B since 1976
        ({"code_commune": "7904"}, True),  # a spreadsheet dropped the leading zero: 07904
        ({"latitude": "46,42", "longitude": "-0.21", "adresse": "1 rue A"}, True),
    ],
)
def test_form_upload_and_store_apply_the_same_rules(store, fields, accepted):
    from indicateurs.atelier.local_places import validate_local_place, validate_local_places

    fields = {"nom": "Lieu", "type": "lieu_mediation", **fields}
    record, _ = validate_local_place(fields)
    columns = ["nom", "type", "adresse", "code_commune", "latitude", "longitude"]
    csv_text = ";".join(columns) + "\n" + ";".join(str(fields.get(k, "")) for k in columns) + "\n"
    records, _ = validate_local_places(csv_text.encode())
    added, _ = store.add_local_places([fields], territoire=EPCI)
    assert (record is not None, len(records) == 1, added == 1) == (accepted, accepted, accepted)


# ---------------------------------------------------------------------------------------------- exports


def test_exports_escape_markdown_and_neutralise_formulas(store, atelier):
    store.add_enjeu(atelier.id, '=HYPERLINK("http://x";"clic")', "autre", auteur="@admin")
    store.add_enjeu(
        atelier.id, "<script>alert(1)</script> [lien](http://x) **gras**", "acces", auteur="-moins"
    )
    fdr = collect(store, atelier.id, territoire_nom="CC Test")
    markdown = to_markdown(fdr)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "\\[lien\\](http://x)" in markdown and "\\*\\*gras\\*\\*" in markdown

    enjeux_csv = pd.read_csv(io.BytesIO(to_csv(fdr)), sep=";", encoding="utf-8-sig")
    assert enjeux_csv["Enjeu"].tolist()[0] == '\'=HYPERLINK("http://x";"clic")'
    assert enjeux_csv["Auteur"].tolist() == ["'@admin", "'-moins"]

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx(fdr)))["Enjeux"]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)
    assert '\'=HYPERLINK("http://x";"clic")' in cells
