"""Learner records: ULN check digits and the other ILR checks, prepopulation from a programme's template and the
hand-edited rule, every status move and refusal, versions and their comparison, duplicates made unique by the
database, the lists and the funding return."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from lib.errors import NotAllowed, NotFound, Refused
from lib.records import listing, programmes, records
from lib.records.programmes import Template
from lib.rules import ilr
from lib.store.db import ChangedMeanwhile
from lib.store.grid import ColumnFilter, Condition, GridQuery
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 10)
TODAY = NOW.date()
AIMS = [{"ref": "ZPROG001", "type": 1, "seq": 1}, {"ref": "60315456", "type": 3, "seq": 2}]
APPRENTICESHIP = Template(25, 275, 36, AIMS, [{"type": "TNP", "code": 1, "date": date(2026, 9, 1), "amount": 4500}],
                          sof=105, del_loc_postcode="NB1 4QT")
# What the learner's enrolment form gives that the funding return requires of every learner.
ENROLMENT = {"sex": "F", "ethnicity": 31, "lldd_health_prob": 2, "postcode": "NB4 1TT", "postcode_prior": "NB4 1TT"}


@pytest.mark.parametrize("uln, problem", [
    ("9276308686", None), ("1000000043", None), ("9999999999", None),
    ("1234567890", "last digit should be 9"), ("123456789", "10 digits"), ("12345678901", "10 digits"),
    ("12345x7890", "10 digits"), ("0123456789", "cannot start with 0"), ("", "10 digits"),
])
def test_uln_check_digits(uln, problem):
    found = ilr.uln_problem(uln)
    assert (found is None) if problem is None else (problem in found)


def test_a_remainder_of_zero_makes_no_valid_uln():
    # 1000000010: 1*10 + 1*2 = 12 → remainder 1 → check digit 9; search for a nine-digit start with remainder 0
    start = next(f"{n:09d}" for n in range(100000000, 100001000) if ilr.with_check_digit(f"{n:09d}") is None)
    assert all(ilr.uln_problem(f"{start}{digit}") for digit in range(10))


@pytest.mark.parametrize("start, end, problem", [
    (date(2026, 9, 1), date(2027, 9, 1), None),
    (date(2026, 9, 1), date(2026, 9, 1), "after the start"),
    (date(2026, 9, 1), date(2036, 9, 1), "less than 10 years"),
    (date(2026, 9, 1), date(2036, 8, 31), None),
    (date(2028, 2, 29), date(2038, 2, 28), "less than 10 years"),
    (None, date(2027, 1, 1), "start date before"),
])
def test_planned_end_dates(start, end, problem):
    found = ilr.dates_problem(start, end)
    assert (found is None) if problem is None else (problem in found)


def test_other_field_rules():
    assert ilr.learn_ref_problem("ABC 123") is None
    assert "1 to 12" in ilr.learn_ref_problem("ABC-123")
    assert "1 to 12" in ilr.learn_ref_problem("A" * 13)
    assert "standard code" in ilr.programme_problem(25, None, 36)
    assert ilr.programme_problem(24, None, 25) is None
    assert "not one of" in ilr.programme_problem(25, 275, 11)
    assert "same sequence" in ilr.aims_problem([{"ref": "ZPROG001", "type": 1, "seq": 1}] * 2)
    assert "1 to 8" in ilr.aims_problem([{"ref": "ZPROG0011", "type": 1, "seq": 1}])
    assert "0 to 999,999" in ilr.finance_problem([{"type": "TNP", "code": 1, "date": TODAY, "amount": 1_000_000}])
    assert ilr.qualifying_days(date(2026, 9, 1), date(2027, 9, 1)) == 42
    assert ilr.qualifying_days(date(2026, 9, 1), date(2026, 10, 1)) == 14
    assert ilr.past_qualifying_period(date(2026, 9, 1), date(2027, 9, 1), date(2026, 10, 13))
    assert not ilr.past_qualifying_period(date(2026, 9, 1), date(2027, 9, 1), date(2026, 10, 12))


def new_programme(db, centre, learners: int = 3):
    """A programme of the demo centre with learners registered on its qualification and not enrolled yet."""
    qualification, count = db.query_one(
        """SELECT r.qualification_code, count(*) FROM registrations r JOIN learners l ON l.id = r.learner_id
           WHERE l.centre_id = ? AND NOT EXISTS (SELECT 1 FROM learner_records x WHERE x.learner_id = l.id)
           GROUP BY 1 ORDER BY 2 DESC LIMIT 1""", [centre.centre_id])
    assert count >= learners
    units = [u for (u,) in db.query_all("SELECT unit_code FROM qualification_units WHERE qualification_code = ? "
                                        "LIMIT 2", [qualification])]
    name = f"Leadership apprenticeship {db.query_one('SELECT count(*) FROM programmes')[0] + 1}"
    programme_id = programmes.create_programme(db, centre, name, "2026/27", qualification, units, now=NOW)
    ids = [learner for (learner,) in db.query_all("""SELECT l.id FROM learners l JOIN registrations r ON r.learner_id = l.id
                                         WHERE l.centre_id = ? AND r.qualification_code = ? AND NOT EXISTS
                                         (SELECT 1 FROM learner_records x WHERE x.learner_id = l.id)
                                         ORDER BY l.id LIMIT ?""", [centre.centre_id, qualification, learners])]
    return programme_id, ids


def edit(db, user, record_id, reason="Details from the enrolment form", **changes):
    return records.edit_record(db, user, record_id, changes, reason, records.record(db, user, record_id).version,
                               today=TODAY, now=NOW)


def test_prepopulation_leaves_a_hand_edited_record_alone_and_reaches_the_others(db, centre):
    programme_id, learners = new_programme(db, centre)
    first, second, third = records.enrol(db, centre, programme_id, learners, now=NOW)
    assert records.record(db, centre, first).values["uln"] == ilr.TEMPORARY_ULN
    edit(db, centre, third, fund_model=99)  # typed by hand before the template was filled
    outcome = programmes.save_template(db, centre, programme_id, APPRENTICESHIP, now=NOW)
    assert outcome.updated == 2 and outcome.kept_own == [records.record(db, centre, third).values["first_name"] + " "
                                                         + records.record(db, centre, third).values["last_name"]]
    taken = records.record(db, centre, first)
    assert taken.values["prog_type"] == 25 and taken.values["aims"] == AIMS
    assert taken.values["fin_records"][0]["amount"] == 4500 and taken.sources["aims"] == records.TEMPLATE
    kept = records.record(db, centre, third)
    assert kept.values["fund_model"] == 99 and kept.values["prog_type"] is None
    assert kept.sources["fund_model"] == records.OWN
    # A later change reaches the records still holding the template's values, not one set for its learner.
    edit(db, centre, second, std_code=276)
    changed = replace(APPRENTICESHIP, std_code=300)
    again = programmes.save_template(db, centre, programme_id, changed, now=NOW)
    assert again.updated == 1 and len(again.kept_own) == 2
    assert records.record(db, centre, first).values["std_code"] == 300
    assert records.record(db, centre, second).values["std_code"] == 276
    assert records.record(db, centre, second).values["fund_model"] == 36  # its other fields still follow
    # Records enrolled after the template take it.
    assert programmes.programme_template(db, centre, programme_id).std_code == 300


def test_cloning_a_programme_copies_its_template_not_its_learners(db, centre):
    programme_id, learners = new_programme(db, centre, 1)
    records.enrol(db, centre, programme_id, learners, now=NOW)
    programmes.save_template(db, centre, programme_id, APPRENTICESHIP, now=NOW)
    copy = programmes.clone_programme(db, centre, programme_id, "Leadership apprenticeship", "2027/28", now=NOW)
    assert copy != programme_id
    assert programmes.programme_template(db, centre, copy) == programmes.programme_template(db, centre, programme_id)
    listed = programmes.programmes(db, centre).set_index("Programme")
    assert listed.loc[copy, "Learners"] == 0 and listed.loc[copy, "Template"] == "Filled"
    with pytest.raises(Refused, match="already has a programme called"):
        programmes.clone_programme(db, centre, programme_id, "Leadership apprenticeship", "2027/28", now=NOW)
    with pytest.raises(Refused, match="written like 2026/27"):
        programmes.clone_programme(db, centre, programme_id, "Another", "2027/29", now=NOW)


def ready_record(db, centre, allow_without_verification=False):
    programme_id, learners = new_programme(db, centre, 1)
    [record_id] = records.enrol(db, centre, programme_id, learners, now=NOW)
    programmes.save_template(db, centre, programme_id, Template(
        25, 275, 36, AIMS, [], allow_without_verification, sof=105, del_loc_postcode="NB1 4QT"), now=NOW)
    edit(db, centre, record_id, uln="9276308686", start_date=date(2026, 9, 1), planned_end_date=date(2028, 3, 1),
         date_of_birth=date(1990, 5, 4), **ENROLMENT)
    return record_id


def move(db, user, record_id, action, **extra):
    return records.move_record(db, user, record_id, action, records.record(db, user, record_id).version,
                               now=NOW, **extra)


def test_every_status_move_and_its_refusals(db, centre, tutor):
    record_id = ready_record(db, centre)
    with pytest.raises(Refused, match="verifies the record before the learner signs"):
        move(db, centre, record_id, "request_signature")
    with pytest.raises(Refused, match="cannot be signed by the learner now"):
        move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[0])
    move(db, centre, record_id, "verify")
    assert move(db, centre, record_id, "request_signature") == "signature_required"
    with pytest.raises(Refused, match="Say how the learner signed"):
        move(db, centre, record_id, "sign", signed_on=TODAY, signed_how="By carrier pigeon")
    with pytest.raises(Refused, match="today or earlier"):
        move(db, centre, record_id, "sign", signed_on=TODAY + timedelta(days=1), signed_how=records.SIGNED_HOW[0])
    assert move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[1]) == "signed"
    assert records.record(db, centre, record_id).signed_how == records.SIGNED_HOW[1]
    with pytest.raises(Refused, match="someone other than the last person who edited"):
        move(db, centre, record_id, "qa_verify")
    assert move(db, tutor, record_id, "qa_verify") == "qa_verified"
    assert move(db, centre, record_id, "complete") == "completed"
    # An edit after signing sends it back for signature, saying why.
    edit(db, centre, record_id, reason="The learner moved house", postcode="NB2 7QT")
    view = records.record(db, centre, record_id)
    assert view.status == "signature_required" and "The learner moved house" in view.status_reason
    assert "Postcode" in view.status_reason


def test_a_template_allowing_it_goes_for_signature_without_verification(db, centre):
    record_id = ready_record(db, centre, allow_without_verification=True)
    assert move(db, centre, record_id, "request_signature") == "signature_required"


def test_a_record_with_a_broken_rule_does_not_go_for_signature(db, centre):
    programme_id, learners = new_programme(db, centre, 1)
    [record_id] = records.enrol(db, centre, programme_id, learners, now=NOW)
    programmes.save_template(db, centre, programme_id, Template(25, 275, 36, AIMS, [], True), now=NOW)
    edit(db, centre, record_id, start_date=date(2026, 9, 1))
    db.query_one("UPDATE learner_records SET std_code = NULL WHERE id = ? RETURNING 1", [record_id])
    with pytest.raises(Refused, match="cannot go for signature yet: An apprenticeship standard"):
        move(db, centre, record_id, "request_signature")


def test_checks_refuse_with_plain_messages_and_change_nothing(db, centre):
    record_id = ready_record(db, centre)
    version = records.record(db, centre, record_id).version
    for changes, message in (
            ({"uln": "1234567890"}, "last digit should be 9"),
            ({"learn_ref": "AB-12"}, "1 to 12 letters"),
            ({"planned_end_date": date(2026, 8, 1)}, "after the start date"),
            ({"planned_end_date": date(2037, 1, 1)}, "less than 10 years"),
            ({"std_code": None}, "needs its standard code"),
            ({"date_of_birth": date(2030, 1, 1)}, "past date"),
            ({"postcode": "NB1 1AA"}, None)):
        if message is None:
            continue
        with pytest.raises(Refused, match=message):
            records.edit_record(db, centre, record_id, changes, "", version, today=TODAY, now=NOW)
    assert records.record(db, centre, record_id).version == version
    with pytest.raises(Refused, match="Nothing has changed"):
        records.edit_record(db, centre, record_id, {"uln": "9276308686"}, "", version, today=TODAY, now=NOW)
    with pytest.raises(Refused, match="changed by someone else"):
        records.edit_record(db, centre, record_id, {"postcode": "NB1 1AA"}, "", version - 1, today=TODAY, now=NOW)


def test_an_aim_changed_after_the_qualifying_period_needs_a_reason(db, centre):
    record_id = ready_record(db, centre)  # started 1 September 2026; 42 days have passed by 23 November
    changed_aims = [AIMS[0], {"ref": "60315460", "type": 3, "seq": 2}]
    with pytest.raises(Refused, match="after the funding qualifying period: say why"):
        edit(db, centre, record_id, reason="", aims=changed_aims)
    edit(db, centre, record_id, reason="The learner moved to the level 3 certificate", aims=changed_aims)
    assert records.record(db, centre, record_id).sources["aims"] == records.OWN


def test_a_duplicate_uln_or_reference_is_refused_naming_the_other_record_and_kept_in_the_audit(db, centre):
    first = ready_record(db, centre)
    programme_id, learners = new_programme(db, centre, 1)
    [second] = records.enrol(db, centre, programme_id, learners, now=NOW)
    other = records.record(db, centre, first).values
    with pytest.raises(records.DuplicateRecord, match=f"ULN 9276308686 is already on record {first} "
                                                      f"\\({other['first_name']} {other['last_name']}"):
        edit(db, centre, second, uln="9276308686")
    with pytest.raises(records.DuplicateRecord, match="learner reference .* is already on record"):
        edit(db, centre, second, learn_ref=other["learn_ref"])
    kept = db.query_all("""SELECT after->>'field' FROM audit_log WHERE action = 'learner_record_duplicate_refused'
                           AND entity_id = ?""", [str(second)])
    assert sorted(field for (field,) in kept) == ["learn_ref", "uln"]
    # The temporary ULN is shared by any number of records.
    assert records.record(db, centre, second).values["uln"] == ilr.TEMPORARY_ULN


def test_two_people_typing_the_same_uln_at_once_make_one_record_with_it(db, centre):
    programme_id, learners = new_programme(db, centre, 4)
    ids = records.enrol(db, centre, programme_id, learners, now=NOW)
    outcomes, barrier = [], threading.Barrier(len(ids))

    def type_uln(record_id):
        barrier.wait()
        try:
            outcomes.append(records.edit_record(db, centre, record_id, {"uln": "1000000043"}, "", 1, today=TODAY,
                                                now=NOW))
        except (Refused, ChangedMeanwhile) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=type_uln, args=(record_id,)) for record_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(outcome, int) for outcome in outcomes) == 1
    assert db.query_one("SELECT count(*) FROM learner_records WHERE uln = '1000000043'")[0] == 1


def test_versions_keep_who_when_what_and_why_and_any_two_compare(db, centre):
    record_id = ready_record(db, centre)
    edit(db, centre, record_id, reason="Learner's new address", postcode="NB3 9ZZ")
    history = records.versions(db, centre, record_id)
    assert history.Version.tolist() == sorted(history.Version.tolist(), reverse=True)
    newest = history.iloc[0]
    assert newest.By == centre.name and newest.Why == "Learner's new address"
    assert newest["What changed"] == "Postcode: NB4 1TT → NB3 9ZZ"
    assert history.iloc[-1]["What changed"] == "Record created"
    last = int(newest.Version)
    side_by_side = records.compare_versions(db, centre, record_id, 1, last)
    changed = side_by_side[side_by_side.Changed == "Yes"].Field.tolist()
    assert {"ULN", "Postcode", "Programme type", "Learning aims"} <= set(changed)
    assert "Given names" not in changed
    row = side_by_side.set_index("Field").loc["ULN"]
    assert row["Version 1"] == "9999999999" and row[f"Version {last}"] == "9276308686"
    with pytest.raises(NotFound):
        records.compare_versions(db, centre, record_id, 1, last + 5)


def test_the_list_searches_by_name_uln_reference_and_status(db, centre):
    record_id = ready_record(db, centre)
    view = records.record(db, centre, record_id).values
    for column, operator, value in (("Learner", "Contains", view["last_name"][:4].lower()),
                                    ("ULN", "Is equal to", "9276308686"),
                                    ("Learner reference", "Is equal to", view["learn_ref"]),
                                    ("Status", "Is equal to", "Newly submitted")):
        page = listing.records_page(db, centre, GridQuery((ColumnFilter(column, Condition(operator, value)),)))
        assert record_id in set(page.rows.Record), column
    workbook = openpyxl.load_workbook(io.BytesIO(listing.records_export(db, centre)))
    assert workbook.active.max_row - 1 == listing.records_page(db, centre).total


def without_namespace(xml: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(xml)
    assert root.tag == "{ESFA/ILR/2025-26}Message"
    for element in root.iter():
        element.tag = element.tag.split("}")[-1]
    return root


def test_the_funding_return_xml_has_the_ilr_fields_in_order(db, centre, tutor):
    record_id = ready_record(db, centre)
    move(db, centre, record_id, "verify")
    move(db, centre, record_id, "request_signature")
    move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[0])
    edit_version = records.record(db, centre, record_id).version
    assert edit_version
    move(db, tutor, record_id, "qa_verify")
    document = without_namespace(listing.funding_return(db, centre, today=TODAY).xml)
    assert document.tag == "Message" and document.findtext("Header/CollectionDetails/Year") == "2526"
    learners = {learner.findtext("ULN"): learner for learner in document.iter("Learner")}
    learner = learners["9276308686"]
    assert [child.tag for child in learner][:5] == ["LearnRefNumber", "ULN", "FamilyName", "GivenNames",
                                                    "DateOfBirth"]
    assert learner.findtext("DateOfBirth") == "1990-05-04"
    deliveries = learner.findall("LearningDelivery")
    assert [d.findtext("LearnAimRef") for d in deliveries] == ["ZPROG001", "60315456"]
    assert [child.tag for child in deliveries[0]][:8] == ["LearnAimRef", "AimType", "AimSeqNumber", "LearnStartDate",
                                                          "LearnPlanEndDate", "FundModel", "ProgType", "StdCode"]
    assert deliveries[0].findtext("LearnStartDate") == "2026-09-01" and deliveries[0].findtext("StdCode") == "275"
    # Only QA-verified (or completed) records unless asked for the others.
    statuses = set(db.query_all("SELECT DISTINCT status FROM learner_records WHERE centre_id = ? AND uln IN "
                                "(SELECT unnest(?))", [centre.centre_id, list(learners)]))
    assert statuses <= {("qa_verified",), ("completed",)}
    everything = without_namespace(listing.funding_return(db, centre, include_all=True, today=TODAY).xml)
    assert len(list(everything.iter("Learner"))) > len(learners)
    sheet = openpyxl.load_workbook(io.BytesIO(listing.funding_return_xlsx(db, centre))).active
    assert [cell.value for cell in sheet[1]][:3] == ["LearnRefNumber", "ULN", "FamilyName"]


def test_only_centres_write_and_the_team_reads(db, centre):
    team, assessor = load_user(db, "team.demo"), load_user(db, "assessor.demo")
    assert listing.records_page(db, team).total > listing.records_page(db, centre).total
    record_id = int(listing.records_page(db, centre).rows.Record.iloc[0])
    assert records.record(db, team, record_id).record_id == record_id
    with pytest.raises(NotAllowed):
        records.edit_record(db, team, record_id, {"postcode": "AB1 2CD"}, "", 1)
    with pytest.raises(NotAllowed):
        listing.records_page(db, assessor)
    with pytest.raises(NotFound):
        records.record(db, load_user(db, "harbourside.demo"), record_id)
