"""The officers' API (web/officer_*.py): every endpoint's happy path, refusals that write nothing, isolation.

The main flow (import -> graduates -> issue one -> batch -> replay -> documents -> QR in three forms -> print sheet
-> correction -> duplicate -> annulment by the head -> audit) runs on SQLite and on PostgreSQL. An officer of
another institution never reads or changes these objects: every answer is the 404 a missing object gets (seed 001
item 7: accounts scoped to one institution; the institution comes from the account, never the request).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient
from pypdf import PdfReader
from support.caseflow import APPLICATIONS, apply_for, approve, grant
from support.printed import PT_PER_MM, code_squares, pdf_boxes, png_facts
from support.web import (
    PASSWORD,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    RecordingClient,
    assert_problem,
    audit_head,
    bearer,
    count,
    give_password,
    graduates_csv,
    https,
    login,
    officer_token,
    web_settings,
)
from support.world import Keys, World, build_world, make_iin, postgres_database, row

from verify.registry.db import upgrade_database
from web.app import create_app
from web.officer.schemas import (
    AuditEventsModel,
    BatchModel,
    DocumentDetailModel,
    DocumentsModel,
    GraduatesModel,
    ImportResultModel,
    StockModel,
)

GROUP = "ИС-22-1"


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing."""
    return https(make_client(**STAFF_SETTINGS))


@pytest.fixture
def issuer(world: World) -> dict[str, str]:
    """The university issuer's bearer header."""
    return bearer(officer_token(world, world.uni_issuer)[0])


@pytest.fixture
def head(world: World) -> dict[str, str]:
    """The university head's bearer header."""
    return bearer(officer_token(world, world.uni_head)[0])


@pytest.fixture
def outsider(world: World) -> dict[str, str]:
    """The bearer header of an issuer of another university."""
    return bearer(officer_token(world, world.other_issuer)[0])


def _upload(client: TestClient, data: bytes, headers: dict[str, str], name: str = "graduates.csv") -> Any:
    return client.post("/api/v1/officer/imports", files={"file": (name, data, "text/csv")}, headers=headers)


# ----------------------------------------------------------------------------- the main flow
def main_flow(client: TestClient, world: World, issuer: dict[str, str], head: dict[str, str]) -> None:
    """Import, issue, print, correct, duplicate, annul, audit: every step as an officer does it."""
    people = [row(n + 2, group=GROUP, surname=surname) for n, surname in enumerate(("Әбдірахманова", "Сейітқали",
                                                                                    "Омарова"))]
    data = graduates_csv(people)
    imported = ImportResultModel.model_validate(_upload(client, data, issuer).json())
    assert (imported.rows, imported.holders_created, imported.graduates_created) == (3, 3, 3)
    assert ImportResultModel.model_validate(_upload(client, data, issuer).json()).unchanged == 3  # idempotent

    graduates = GraduatesModel.model_validate(client.get("/api/v1/officer/graduates", params={"group": GROUP},
                                                         headers=issuer).json())
    assert graduates.total == 3 and [g.document for g in graduates.graduates] == [None] * 3
    assert {g.holder.surname for g in graduates.graduates} == {"Әбдірахманова", "Сейітқали", "Омарова"}

    single = client.post("/api/v1/officer/documents", json={"graduate_id": graduates.graduates[0].id}, headers=issuer)
    assert single.status_code == 201, single.text
    first = DocumentDetailModel.model_validate(single.json())
    assert (first.series, first.state, first.current_revision, first.group) == ("BD", "valid", 1, GROUP)
    assert [e.action for e in first.events] == ["document.issue"]

    key = {"Idempotency-Key": "graduation-2026-IS-22-1"}
    batch = BatchModel.model_validate(client.post("/api/v1/officer/batches", json={"group": GROUP},
                                                  headers={**issuer, **key}).json())
    assert (batch.total, batch.issued, batch.skipped, batch.replayed) == (3, 2, 1, False)
    assert len(batch.documents) == 2
    replay = BatchModel.model_validate(client.post("/api/v1/officer/batches", json={"group": GROUP},
                                                   headers={**issuer, **key}).json())
    assert (replay.issued, replay.replayed, len(replay.documents)) == (0, True, 2)
    assert world.scalar("SELECT count(*) FROM documents") == 3

    listed = DocumentsModel.model_validate(client.get("/api/v1/officer/documents", params={"group": GROUP},
                                                      headers=issuer).json())
    assert listed.total == 3 and {d.holder.surname for d in listed.documents} == {g.holder.surname
                                                                                 for g in graduates.graduates}
    path = f"/api/v1/officer/documents/{first.series}/{first.number}"

    svg = client.get(f"{path}/qr.svg", headers=issuer)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert ElementTree.fromstring(svg.content).attrib["width"] == "30mm"
    png = client.get(f"{path}/qr.png", headers=issuer)
    facts = png_facts(png.content)
    assert png.headers["content-type"] == "image/png" and abs(facts.width_mm - 30) < 0.01 and facts.dpi >= 600
    pdf = client.get(f"{path}/qr.pdf", headers=issuer)
    assert pdf.headers["content-type"] == "application/pdf"
    assert abs(float(PdfReader(io.BytesIO(pdf.content)).pages[0].mediabox.width) / PT_PER_MM - 30) < 0.01

    sheet = client.get("/api/v1/officer/sheets", params={"group": GROUP}, headers=issuer)
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(sheet.content))
    assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width) / PT_PER_MM) == 210
    assert len(code_squares(pdf_boxes(reader, 0))) == 3  # three codes, each exactly 30 x 30 mm
    by_batch = client.get("/api/v1/officer/sheets", params={"batch": key["Idempotency-Key"]}, headers=issuer)
    assert len(code_squares(pdf_boxes(PdfReader(io.BytesIO(by_batch.content)), 0))) == 2

    old_qr = first.revisions[0].qr_text
    corrected = grant(client, path, "/corrections", {"changes": {"programme": "6B06102"},
                                                     "reason": "application 2026-114"}, issuer, head)
    assert corrected["result_revision"] == 2
    revision = DocumentDetailModel.model_validate(client.get(path, headers=issuer).json()).revisions[-1]
    assert (revision.revision, revision.changed_fields) == (2, ["programme"])
    verdict = client.post("/api/v1/verify", json={"qr_text": old_qr}).json()
    assert verdict["verdict"] == "CORRECTED" and verdict["registry"]["changed_fields"] == ["programme"]
    assert client.get(f"{path}/qr.svg", params={"revision": 1}, headers=issuer).status_code == 200

    duplicated = grant(client, path, "/duplicates", {"reason": "lost"}, issuer, head)["result_document"]
    duplicate_path = f"/api/v1/officer/documents/{duplicated['series']}/{duplicated['number']}"
    duplicate = DocumentDetailModel.model_validate(client.get(duplicate_path, headers=issuer).json())
    assert duplicate.duplicate_no == 1 and duplicate.original is not None
    assert duplicate.stamp["kk"] == "Түпнұсқаның орнына берілген № 1 телнұсқа"
    replaced = DocumentDetailModel.model_validate(client.get(path, headers=issuer).json())
    assert replaced.state == "replaced" and replaced.replaced_by is not None
    assert [c.duplicate_no for c in replaced.chain] == [None, 1] and len(replaced.revisions) == 2

    # the registrar applies to annul; only the head's approval annuls
    applied = apply_for(client, duplicate_path, "/annulment", {"basis": "order No. 41"}, issuer)
    assert client.get(duplicate_path, headers=issuer).json()["state"] == "valid"
    assert_problem(client.post(f"{APPLICATIONS}/{applied['number']}/approve", headers=issuer), 403, "forbidden")
    assert approve(client, applied["number"], head)["state"] == "granted"
    assert client.get(duplicate_path, headers=issuer).json()["state"] == "annulled"
    assert_problem(client.post(f"{duplicate_path}/annulment", json={"basis": "again"}, headers=head),
                   409, "document-state")

    audit = AuditEventsModel.model_validate(client.get("/api/v1/officer/audit", headers=issuer).json())
    actions = [event.action for event in audit.events]
    assert actions[:2] == ["application.approve", "document.annul"]
    assert {"graduates.import", "batch.start", "document.correct", "document.duplicate", "application.register",
            "application.propose"} <= set(actions)


def test_the_officer_flow_on_sqlite(api: TestClient, world: World, issuer: dict[str, str],
                                    head: dict[str, str]) -> None:
    main_flow(api, world, issuer, head)


@pytest.mark.postgres
def test_the_officer_flow_on_postgresql(keys: Keys, tmp_path: Path) -> None:
    with postgres_database() as url:
        upgrade_database(url)
        world = build_world(url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
        try:
            (tmp_path / "data").mkdir()
            with RecordingClient(create_app(web_settings(world, keys, tmp_path, **STAFF_SETTINGS))) as client:
                issuer = bearer(officer_token(world, world.uni_issuer)[0])
                head = bearer(officer_token(world, world.uni_head)[0])
                main_flow(https(client), world, issuer, head)
        finally:
            world.dispose()


def test_the_flow_works_with_a_cookie_session_and_its_csrf_token(api: TestClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    csrf = login(api, "uni.issuer", PASSWORD)
    data = graduates_csv([row(2, group=GROUP)])
    assert_problem(_upload(api, data, {}), 403, "csrf-failed")
    assert count(world, "graduates") == 0
    assert _upload(api, data, {"X-CSRF-Token": csrf}).status_code == 200
    assert count(world, "graduates") == 1


# ----------------------------------------------------------------------------- refusals that write nothing
def test_an_import_with_errors_lists_every_row_and_writes_nothing(api: TestClient, world: World,
                                                                  issuer: dict[str, str]) -> None:
    good = row(2, group=GROUP)
    text = graduates_csv([good, row(3, group=GROUP)]).decode()
    lines = text.splitlines()
    lines[2] = lines[2].replace("2026-06-30", "2031-06-30")  # an award date in the future
    valid = make_iin()
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)  # another check digit: never a valid IIN (one digit fits)
    lines.append(f"{wrong},Омарова,Әлия,,2004-05-12,BD,6B06101,,no,2026-06-30,{GROUP}")
    before = (count(world, "holders"), count(world, "graduates"), audit_head(world))
    body = assert_problem(_upload(api, "\n".join(lines).encode(), issuer), 422, "import-rejected")
    assert {(problem["row"], problem["column"]) for problem in body["rows"]} >= {(3, "award_date"), (4, "iin")}
    assert len(body["rows"]) >= 2 and body["warnings"] == []
    assert good.iin not in str(body)
    assert (count(world, "holders"), count(world, "graduates"), audit_head(world)) == before


def test_an_import_refuses_a_missing_file_and_a_university_refuses_tve_rows(api: TestClient, world: World,
                                                                            issuer: dict[str, str]) -> None:
    assert_problem(api.post("/api/v1/officer/imports", data={"x": "1"}, headers=issuer), 422, "invalid-request")
    body = assert_problem(_upload(api, graduates_csv([row(2, doc_type="TVE", programme="06130100")]), issuer),
                          422, "import-rejected")
    assert body["rows"][0]["column"] == "doc_type"
    assert count(world, "graduates") == 0


def test_issue_refuses_unknown_and_other_institutions_graduates_alike(api: TestClient, world: World,
                                                                      issuer: dict[str, str],
                                                                      outsider: dict[str, str]) -> None:
    _upload(api, graduates_csv([row(2, group=GROUP)]), issuer)
    graduate_id = GraduatesModel.model_validate(api.get("/api/v1/officer/graduates", headers=issuer).json()) \
        .graduates[0].id
    other = assert_problem(api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id},
                                    headers=outsider), 404, "not-found")
    missing = assert_problem(api.post("/api/v1/officer/documents", json={"graduate_id": 99999}, headers=outsider),
                             404, "not-found")
    assert other["detail"] == missing["detail"]
    assert_problem(api.post("/api/v1/officer/documents", json={"graduate_id": "x"}, headers=issuer),
                   422, "invalid-request")
    assert count(world, "documents") == 0
    assert api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=issuer).status_code == 201
    assert_problem(api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=issuer),
                   409, "conflict")
    assert count(world, "documents") == 1


def test_a_batch_needs_an_idempotency_key_and_a_key_names_one_batch(api: TestClient, world: World,
                                                                    issuer: dict[str, str]) -> None:
    _upload(api, graduates_csv([row(2, group=GROUP), row(3, group="Other")]), issuer)
    assert_problem(api.post("/api/v1/officer/batches", json={"group": GROUP}, headers=issuer), 400, "bad-request")
    assert_problem(api.post("/api/v1/officer/batches", json={"group": GROUP},
                            headers={**issuer, "Idempotency-Key": "k" * 101}), 400, "bad-request")
    assert_problem(api.post("/api/v1/officer/batches", json={"group": "nobody"},
                            headers={**issuer, "Idempotency-Key": "k1"}), 404, "not-found")
    assert count(world, "batches") == 0 and count(world, "documents") == 0
    assert api.post("/api/v1/officer/batches", json={"group": GROUP},
                    headers={**issuer, "Idempotency-Key": "k1"}).status_code == 200
    assert_problem(api.post("/api/v1/officer/batches", json={"group": "Other"},
                            headers={**issuer, "Idempotency-Key": "k1"}), 409, "conflict")
    assert count(world, "documents") == 1


def test_corrections_and_duplicates_refuse_bad_data_and_write_nothing(api: TestClient, world: World,
                                                                      issued: Issued, issuer: dict[str, str]) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    before = (count(world, "document_revisions"), count(world, "documents"), audit_head(world))
    body = assert_problem(api.post(f"{path}/corrections", json={"changes": {"iin": "x"}, "reason": "r"},
                                   headers=issuer), 422, "invalid-data")
    assert "cannot be corrected" in body["detail"]
    assert_problem(api.post(f"{path}/corrections", json={"changes": {}, "reason": "r"}, headers=issuer),
                   422, "invalid-request")
    assert_problem(api.post(f"{path}/duplicates", json={"reason": "name_changed"}, headers=issuer),
                   422, "invalid-data")
    assert_problem(api.post(f"{path}/duplicates", json={"reason": "stolen"}, headers=issuer), 422, "invalid-request")
    assert_problem(api.post(f"{path}/annulment", json={"basis": ""}, headers=issuer), 422, "invalid-request")
    assert (count(world, "document_revisions"), count(world, "documents"), audit_head(world)) == before


def test_a_viewer_reads_but_changes_nothing(api: TestClient, world: World, issued: Issued) -> None:
    viewer = bearer(officer_token(world, world.uni_viewer, ["officer:read"])[0])
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    assert api.get(path, headers=viewer).status_code == 200
    assert_problem(api.post(f"{path}/duplicates", json={"reason": "lost"}, headers=viewer), 403, "forbidden")
    assert count(world, "documents") == 1


def test_a_missing_revision_or_a_malformed_number_is_not_found(api: TestClient, issued: Issued,
                                                               issuer: dict[str, str]) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    assert_problem(api.get(f"{path}/qr.png", params={"revision": 5}, headers=issuer), 404, "not-found")
    assert_problem(api.get("/api/v1/officer/documents/BD/12x4567", headers=issuer), 404, "not-found")
    assert_problem(api.get("/api/v1/officer/sheets", headers=issuer), 422, "invalid-data")
    assert_problem(api.get("/api/v1/officer/sheets", params={"group": "none"}, headers=issuer), 404, "not-found")


# ----------------------------------------------------------------------------- blanks (a college)
def test_blank_stock_add_write_off_summary_and_issue_from_it(api: TestClient, world: World) -> None:
    college = bearer(officer_token(world, world.col_issuer)[0])  # ТКБ: a series in the test signer's scope
    added = api.post("/api/v1/officer/blanks/ranges", json={"series": "ТКБ", "first": "0001000", "last": "0001009"},
                     headers=college)
    assert added.status_code == 201 and added.json()["size"] == 10
    written = api.post("/api/v1/officer/blanks/write-offs",
                       json={"series": "ТКБ", "number": "0001000", "reason": "torn in the printer"}, headers=college)
    assert written.status_code == 201 and written.json()["state"] == "written_off"
    _upload(api, graduates_csv([row(2, doc_type="TVE", programme="06130100", group="ПО-21")]), college)
    batch = api.post("/api/v1/officer/batches", json={"group": "ПО-21"},
                     headers={**college, "Idempotency-Key": "po-21"}).json()
    assert [(d["series"], d["number"]) for d in batch["documents"]] == [("ТКБ", "0001001")]
    stock = StockModel.model_validate(api.get("/api/v1/officer/blanks", headers=college).json())
    line = stock.series[0]
    assert (line.received, line.used, line.written_off, line.free, line.next_free) == (10, 1, 1, 8, "0001002")


def test_blank_refusals_write_nothing(api: TestClient, world: World) -> None:
    college = bearer(officer_token(world, world.col_issuer)[0])
    other = bearer(officer_token(world, world.uni_issuer)[0])  # another institution: not its stock
    api.post("/api/v1/officer/blanks/ranges", json={"series": "ЖБ", "first": "0001000", "last": "0001009"},
             headers=college)
    before = (count(world, "blank_ranges"), count(world, "blanks"), audit_head(world))
    assert_problem(api.post("/api/v1/officer/blanks/ranges", json={"series": "ЖБ", "first": "0001005",
                                                                   "last": "0001020"}, headers=college),
                   409, "conflict")
    assert_problem(api.post("/api/v1/officer/blanks/ranges", json={"series": "ЖБ", "first": "0002009",
                                                                   "last": "0002000"}, headers=college),
                   422, "invalid-data")
    assert_problem(api.post("/api/v1/officer/blanks/ranges", json={"series": "ЖБ", "first": "1", "last": "2"},
                            headers=college), 422, "invalid-request")
    assert_problem(api.post("/api/v1/officer/blanks/write-offs", json={"series": "ЖБ", "number": "0009999",
                                                                       "reason": "lost"}, headers=college),
                   409, "blank-stock")
    assert_problem(api.post("/api/v1/officer/blanks/write-offs", json={"series": "ЖБ", "number": "0001001",
                                                                       "reason": "lost"}, headers=other),
                   409, "blank-stock")
    assert (count(world, "blank_ranges"), count(world, "blanks"), audit_head(world)) == before


# ----------------------------------------------------------------------------- isolation of institutions
def test_an_officer_of_another_institution_gets_404_for_everything_and_changes_nothing(
        api: TestClient, world: World, issued: Issued, outsider: dict[str, str], issuer: dict[str, str]) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    missing = "/api/v1/officer/documents/BD/9999999"
    before = (count(world, "documents"), count(world, "document_revisions"), audit_head(world))
    for suffix in ("", "/qr.svg", "/qr.png", "/qr.pdf"):
        theirs = assert_problem(api.get(path + suffix, headers=outsider), 404, "not-found")
        nobodys = assert_problem(api.get(missing + suffix, headers=outsider), 404, "not-found")
        assert theirs["detail"] == nobodys["detail"]
    for suffix, body in (("/duplicates", {"reason": "lost"}),
                         ("/corrections", {"changes": {"programme": "6B06102"}, "reason": "r"}),
                         ("/annulment", {"basis": "b"})):
        theirs = assert_problem(api.post(path + suffix, json=body, headers=outsider), 404, "not-found")
        nobodys = assert_problem(api.post(missing + suffix, json=body, headers=outsider), 404, "not-found")
        assert theirs["detail"] == nobodys["detail"]
    assert (count(world, "documents"), count(world, "document_revisions"), audit_head(world)) == before
    assert DocumentsModel.model_validate(api.get("/api/v1/officer/documents", headers=outsider).json()).total == 0
    assert GraduatesModel.model_validate(api.get("/api/v1/officer/graduates", headers=outsider).json()).total == 0
    assert_problem(api.get("/api/v1/officer/sheets", params={"group": "G1"}, headers=outsider), 404, "not-found")
    assert api.get("/api/v1/officer/sheets", params={"group": "G1"}, headers=issuer).status_code == 200
    assert_problem(api.post("/api/v1/officer/batches", json={"group": "G1"},
                            headers={**outsider, "Idempotency-Key": "x"}), 404, "not-found")
    events = AuditEventsModel.model_validate(api.get("/api/v1/officer/audit", headers=outsider).json()).events
    assert all(issued.document.number not in event.object_ref for event in events)
    assert [e.action for e in events] == ["token.create", "officer.create", "institution.create"]


def test_the_audit_view_pages_backwards(api: TestClient, world: World, issued: Issued,
                                        issuer: dict[str, str]) -> None:
    first = AuditEventsModel.model_validate(api.get("/api/v1/officer/audit", params={"limit": 2},
                                                    headers=issuer).json())
    assert len(first.events) == 2 and first.next_before == first.events[-1].seq
    rest = AuditEventsModel.model_validate(api.get("/api/v1/officer/audit", params={"before": first.next_before},
                                                   headers=issuer).json())
    assert rest.events and all(e.seq < first.events[-1].seq for e in rest.events)
    issues = api.get("/api/v1/officer/audit", params={"action": "document.issue"}, headers=issuer).json()["events"]
    assert [e["object_ref"] for e in issues] == [f"{issued.document.series} {issued.document.number}"]


def test_refusals_and_import_reasons_are_in_the_readers_language_with_a_stable_code(
        api: TestClient, world: World, issuer: dict[str, str], head: dict[str, str], issued: Issued) -> None:
    """Issue 10 item 15: the API keeps `type` and `code` stable and says `detail` / `reason` in kk, ru or en."""
    bad = row(2, doc_type="TVE", programme="06130100")
    data = graduates_csv([bad]).replace(bad.iin.encode(), (bad.iin[:-1] + str((int(bad.iin[-1]) + 1) % 10)).encode())
    words = {"ru": ("контрольная цифра не совпадает", "документы TVE выдают колледжи; эта организация — вуз"),
             "kk": ("бақылау цифры сәйкес емес", "TVE құжаттарын колледждер береді; бұл ұйым — жоғары оқу орны"),
             "en": ("check digit does not match",
                    "TVE documents are issued by colleges; this institution is a university")}
    for lang, (check_digit, _) in words.items():
        body = assert_problem(_upload(api, data, {**issuer, "Accept-Language": lang}), 422, "import-rejected")
        iin_row = next(r for r in body["rows"] if r["column"] == "iin")
        assert check_digit in iin_row["reason"] and iin_row["code"] == "v_id_check_digit"
    for lang, (_, kind) in words.items():
        body = assert_problem(_upload(api, graduates_csv([bad]), {**issuer, "Accept-Language": lang}), 422,
                              "import-rejected")
        assert body["rows"][0]["reason"] == kind and body["rows"][0]["code"] == "v_imp_doc_type_college"
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    grant(api, path, "/annulment", {"basis": "order No. 41"}, issuer, head)
    refusals = {"ru": "аннулирован", "kk": "жойылды: жою түпкілікті, телнұсқа беру мүмкін емес",
                "en": "was annulled on"}
    for lang, said in refusals.items():
        body = assert_problem(api.post(f"{path}/duplicates", json={"reason": "lost"},
                                       headers={**issuer, "Accept-Language": lang}), 409, "document-state")
        assert said in body["detail"], body
        assert body["title"] == "Document state"
