"""The ILR funding return against the ESFA's own 2025-26 schema (tests/ilr/schemafile25.xsd: the ESFA's published
ILR specification file, Open Government Licence, as copied in github.com/foundersandcoders/iris docs/schemas): every
export validates, from the demo's data and from hostile values; what the schema refuses is refused as it is typed;
records that lack what the ILR requires are left out and named; the command writes the file the page downloads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from lib.admin import centres
from lib.demo import DEMO_CENTRE_NUMBER, NAMED_CENTRES
from lib.errors import NotAllowed, Refused
from lib.records import listing, records
from lib.rules import ilr
from tests.conftest import load_user
from tests.test_learner_records import ENROLMENT, TODAY, edit, move, ready_record

SCHEMA_FILE = Path(__file__).parent / "ilr" / "schemafile25.xsd"
SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def valid(xml: bytes) -> etree._Element:
    """The document, after the ESFA's schema has accepted it (the assertion names each error it found)."""
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), [f"line {e.line}: {e.message}" for e in SCHEMA.error_log]
    return document


def learners(document) -> dict[str, etree._Element]:
    namespace = {"ilr": ilr.NAMESPACE}
    return {learner.findtext("ilr:LearnRefNumber", namespaces=namespace): learner
            for learner in document.findall("ilr:Learner", namespace)}


def text(learner, path: str) -> str | None:
    return learner.findtext("/".join(f"{{{ilr.NAMESPACE}}}{part}" for part in path.split("/")))


@pytest.mark.parametrize("include_all", [False, True])
def test_every_demo_centres_return_passes_the_esfa_schema(db, include_all):
    team = load_user(db, "team.demo")
    numbers = [number for (number,) in db.query_all(
        "SELECT DISTINCT c.number FROM learner_records r JOIN centres c ON c.id = r.centre_id ORDER BY 1")]
    assert DEMO_CENTRE_NUMBER in numbers and len(numbers) >= 2
    for number in numbers:
        ready = db.query_one("""SELECT count(*) FILTER (WHERE r.status IN ('qa_verified', 'completed')) FROM
                                learner_records r JOIN centres c ON c.id = r.centre_id WHERE c.number = ?""", [number])[0]
        if not (ready or include_all):
            with pytest.raises(Refused, match="none is QA verified or completed"):
                listing.funding_return(db, team, include_all, TODAY, number)
            continue
        made = listing.funding_return(db, team, include_all, TODAY, number)
        document = valid(made.xml)
        assert len(learners(document)) == made.learners > 0
        ukprn = db.query_one("SELECT ukprn FROM centres WHERE number = ?", [number])[0]
        assert text(document, "Header/Source/UKPRN") == text(document, "LearningProvider/UKPRN") == str(ukprn)
    own = listing.funding_return(db, load_user(db, "centre.demo"), include_all, TODAY)
    assert learners(valid(own.xml)).keys() == \
        learners(etree.fromstring(listing.funding_return(db, team, include_all, TODAY, DEMO_CENTRE_NUMBER).xml)).keys()


def test_a_ready_record_carries_every_field_the_schema_requires(db, centre, tutor):
    record_id = ready_record(db, centre)
    edit(db, centre, record_id, telephone="07700 900 123", email="zoe.o'brien@example.org",
         first_name="Zoë *Ørsted*", last_name="=O'Brien-Smith")
    for step in ("verify", "request_signature"):
        move(db, centre, record_id, step)
    move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[0])
    move(db, tutor, record_id, "qa_verify")
    learn_ref = records.record(db, centre, record_id).values["learn_ref"]
    learner = learners(valid(listing.funding_return(db, centre, today=TODAY).xml))[learn_ref]
    assert [text(learner, tag) for tag in ("Ethnicity", "Sex", "LLDDHealthProb", "PostcodePrior", "Postcode")] == \
        ["31", "F", "2", ENROLMENT["postcode_prior"], ENROLMENT["postcode"]]
    assert text(learner, "TelNo") == "07700900123"  # typed with spaces, kept as the digits the ILR takes
    assert text(learner, "GivenNames") == "Zoë *Ørsted*" and text(learner, "FamilyName") == "=O'Brien-Smith"
    assert text(learner, "LearningDelivery/DelLocPostCode") == "NB1 4QT"
    assert text(learner, "LearningDelivery/CompStatus") == "1"
    assert text(learner, "LearningDelivery/LearningDeliveryFAM/LearnDelFAMType") == "SOF"
    assert text(learner, "LearningDelivery/LearningDeliveryFAM/LearnDelFAMCode") == "105"
    assert learner.find(f"{{{ilr.NAMESPACE}}}LearnerContact") is None


@pytest.mark.parametrize("field, value, problem", [
    ("postcode", "SW1A 1AAXX", "not a UK postcode"),
    ("postcode_prior", "NOTAPOST", "not a UK postcode"),
    ("postcode", "SW1A 1AAX", "not a UK postcode"),
    ("first_name", "J0hn", "without digits"),
    ("last_name", 'Smith "Jr"', "without digits"),
    ("email", "a" * 110 + "@example.org", "at most 100"),
    ("email", "two@at@example.org", "name@domain"),
    ("telephone", "+44 7700 900123", "up to 18 digits"),
    ("uln", "١٠٠٠٠٠٠٠٤٣", "10 digits"),
    ("sex", "X", "not one of"),
    ("ethnicity", 30, "not one of"),
    ("comp_status", 4, "not one of"),
])
def test_values_the_schema_refuses_are_refused_as_typed(db, centre, field, value, problem):
    record_id = ready_record(db, centre)
    before = records.record(db, centre, record_id)
    with pytest.raises(Refused, match=problem):
        edit(db, centre, record_id, **{field: value})
    after = records.record(db, centre, record_id)
    assert after.version == before.version and after.values == before.values


def test_a_uln_in_other_digits_cannot_pass_as_a_duplicate_of_its_ascii_twin(db, centre):
    record_id = ready_record(db, centre)  # ULN 9276308686
    other = db.query_one("SELECT id FROM learner_records WHERE centre_id = ? AND id <> ? ORDER BY id LIMIT 1",
                         [centre.centre_id, record_id])[0]
    with pytest.raises(Refused, match="10 digits"):
        edit(db, centre, other, uln="٩٢٧٦٣٠٨٦٨٦")
    with pytest.raises(Refused, match=f"record {record_id}"):
        edit(db, centre, other, uln="9276308686")


def test_the_temporary_uln_is_refused_for_fund_models_10_and_99_unless_office_for_students_funded(db, centre, tutor):
    assert "not accepted for funding model 99" in ilr.temporary_uln_problem(ilr.TEMPORARY_ULN, 99, 105)
    assert "not accepted for funding model 10" in ilr.temporary_uln_problem(ilr.TEMPORARY_ULN, 10, None)
    assert ilr.temporary_uln_problem(ilr.TEMPORARY_ULN, 99, ilr.OFFICE_FOR_STUDENTS) is None
    assert ilr.temporary_uln_problem(ilr.TEMPORARY_ULN, 36, 105) is None
    assert ilr.temporary_uln_problem("9276308686", 99, 105) is None
    record_id = ready_record(db, centre)
    edit(db, centre, record_id, uln=ilr.TEMPORARY_ULN, fund_model=99, prog_type=None, std_code=None)
    for step in ("verify", "request_signature"):
        move(db, centre, record_id, step)
    move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[0])
    with pytest.raises(Refused, match="ULN 9999999999 is not accepted for funding model 99"):
        move(db, tutor, record_id, "qa_verify")
    edit(db, centre, record_id, sof=ilr.OFFICE_FOR_STUDENTS)
    move(db, centre, record_id, "sign", signed_on=TODAY, signed_how=records.SIGNED_HOW[0])
    move(db, tutor, record_id, "qa_verify")
    learn_ref = records.record(db, centre, record_id).values["learn_ref"]
    learner = learners(valid(listing.funding_return(db, centre, today=TODAY).xml))[learn_ref]
    assert text(learner, "ULN") == ilr.TEMPORARY_ULN


def test_records_kept_before_the_rules_are_left_out_and_named_and_the_file_still_validates(db, centre):
    shown = listing.funding_return(db, centre, include_all=True, today=TODAY)
    first, second, third = db.query_all(
        """SELECT id, first_name || ' ' || last_name FROM learner_records WHERE centre_id = ?
           AND status IN ('qa_verified', 'completed') ORDER BY id LIMIT 3""", [centre.centre_id])
    db.query_one("UPDATE learner_records SET postcode = 'SW1A 1AAXX' WHERE id = ? RETURNING id", [first[0]])
    db.query_one("UPDATE learner_records SET sex = NULL WHERE id = ? RETURNING id", [second[0]])
    # XML cannot hold U+FFFE: a name kept before that rule is written with U+FFFD, which the schema accepts.
    db.query_one("UPDATE learner_records SET first_name = 'Zoë\ufffe' WHERE id = ? RETURNING id", [third[0]])
    made = listing.funding_return(db, centre, include_all=True, today=TODAY)
    document = valid(made.xml)
    assert made.learners == shown.learners - 2
    left = dict(made.left_out)
    assert "not a UK postcode" in left[f"{first[1]} (record {first[0]})"]
    assert left[f"{second[1]} (record {second[0]})"] == "Sex is required by the funding return."
    assert "Zoë\ufffd" in [text(learner, "GivenNames") for learner in learners(document).values()]


def test_no_ukprn_no_return_and_the_team_records_one_checked(db, centre):
    team = load_user(db, "team.demo")
    centres.set_ukprn(db, team, DEMO_CENTRE_NUMBER, "")
    with pytest.raises(Refused, match="no UKPRN on file"):
        listing.funding_return(db, centre, today=TODAY)
    for wrong in ("1234567", "123456789", "00000001", "1O000000", "١٠٠٠٠٠٠٠"):
        with pytest.raises(Refused, match="8 digits"):
            centres.set_ukprn(db, team, DEMO_CENTRE_NUMBER, wrong)
    other_ukprn = db.query_one("SELECT ukprn FROM centres WHERE number = ?", [NAMED_CENTRES[1][0]])[0]
    with pytest.raises(Refused, match="another centre's"):
        centres.set_ukprn(db, team, DEMO_CENTRE_NUMBER, str(other_ukprn))
    with pytest.raises(NotAllowed):
        centres.set_ukprn(db, centre, DEMO_CENTRE_NUMBER, "10012345")
    centres.set_ukprn(db, team, DEMO_CENTRE_NUMBER, " 10012345 ")
    document = valid(listing.funding_return(db, centre, today=TODAY).xml)
    assert text(document, "LearningProvider/UKPRN") == "10012345"
    assert centres.centres(db, team).set_index("Centre").loc[DEMO_CENTRE_NUMBER, "UKPRN"] == "10012345"
    audit = db.query_one("SELECT CAST(after AS VARCHAR) FROM audit_log WHERE action = 'centre_ukprn' "
                         "ORDER BY id DESC LIMIT 1")[0]
    assert json.loads(audit) == {"ukprn": 10012345}


def test_the_team_names_the_centre_and_a_return_with_nothing_ready_says_so(db, centre):
    team = load_user(db, "team.demo")
    with pytest.raises(Refused, match="choose the centre"):
        listing.funding_return(db, team, today=TODAY)
    db.query_one("UPDATE learner_records SET status = 'signed' WHERE centre_id = ? RETURNING 1", [centre.centre_id])
    with pytest.raises(Refused, match="none is QA verified or completed"):
        listing.funding_return(db, centre, today=TODAY)


def test_the_command_writes_the_file_the_page_downloads(db_path, tmp_path):
    out = tmp_path / "ilr" / "return.xml"
    out.parent.mkdir()
    env = {"PATH": "/usr/bin:/bin", "ILMA_DB": str(db_path), "ILMA_JOBS": "off"}
    done = subprocess.run([sys.executable, "-m", "lib", "export-ilr", "--centre", DEMO_CENTRE_NUMBER, "--out",
                           str(out), "--db", str(db_path)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["outcome"] == "done" and figures["file"] == str(out)
    document = valid(out.read_bytes())
    assert len(learners(document)) == figures["learners"] > 0
    assert not list(out.parent.glob(".*"))  # no temporary file left beside it
    refused = subprocess.run([sys.executable, "-m", "lib", "export-ilr", "--centre", "999999", "--out",
                              str(tmp_path / "none.xml"), "--db", str(db_path)], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=300, env=env)
    assert refused.returncode == 1 and "no centre 999999" in refused.stderr.lower()
    assert not (tmp_path / "none.xml").exists()


def test_the_return_is_written_in_the_namespace_and_year_of_the_schema_kept_here():
    target = etree.parse(str(SCHEMA_FILE)).getroot().get("targetNamespace")
    assert ilr.NAMESPACE == target == "ESFA/ILR/2025-26" and ilr.COLLECTION_YEAR == "2526"
