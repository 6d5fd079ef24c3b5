"""Change of assessment method: requests and decisions, the confirmation document, and recordings checked by
their content (format, size, length) against the agreed terms before an upload screen takes them."""

from __future__ import annotations

import io
import threading
from datetime import datetime
from pathlib import Path

import docx
import pytest

from lib.centre import methods
from lib.centre.method_confirmation import confirmation_docx
from lib.centre.uploads import UnitUpload, Upload, submission_files, upload_units
from lib.checks import accept
from lib.checks.accept import FileRejected, RecordingTerms
from lib.demo.recording import recording
from lib.errors import NotAllowed, NotFound, Refused
from lib.store.db import ChangedMeanwhile
from lib.store.files import FileStore
from tests import crafted, samples
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 12)
EVERY_FORMAT = RecordingTerms(("MP4", "M4A", "MP3", "WebM"), 50 * 1024 * 1024, 60)
WHY = "Apprentices present their workplace projects; a recording shows criteria 2.1 to 3.2 better than a report."


@pytest.fixture(autouse=True)
def fresh_verdicts():
    accept.VERDICTS.clear()


@pytest.mark.parametrize("kind, expected", [("mp4", "MP4"), ("m4a", "M4A"), ("mp3", "MP3"), ("webm", "WebM")])
def test_each_agreed_format_is_accepted_with_its_length(kind, expected):
    checked = accept.check_evidence(f"Presentation.{kind}", recording(4, kind), EVERY_FORMAT)
    assert checked.media_format == expected and checked.word_count is None
    assert 3.9 <= checked.seconds <= 4.2 and checked.length_label() == "4 s"


def test_a_text_file_renamed_mp4_is_refused():
    with pytest.raises(FileRejected, match=r"notes\.mp4 is named \.mp4 but is not a recording"):
        accept.check_evidence("notes.mp4", b"These are my presentation notes, not a video." * 100, EVERY_FORMAT)


def test_a_word_document_renamed_webm_is_refused():
    with pytest.raises(FileRejected, match="is named .webm but"):
        accept.check_evidence("talk.webm", samples.word_document(), EVERY_FORMAT)


def test_a_recording_longer_than_agreed_is_refused():
    with pytest.raises(FileRejected, match=r"talk\.mp4 lasts 1 min 5 s: the agreed longest recording is 1 min 0 s"):
        accept.check_evidence("talk.mp4", recording(65, "mp4", size=(64, 48)), EVERY_FORMAT)


@pytest.mark.parametrize("kind", ["mp4", "m4a"])
def test_a_recording_whose_timestamps_claim_a_hundredth_of_its_length_is_measured_by_its_sound(kind):
    scaled = crafted.time_scaled_mp4(recording(150, kind, size=(64, 48)))
    with pytest.raises(FileRejected, match=rf"talk\.{kind} lasts 2 min 30 s: the agreed longest recording is 1 min 0 s"):
        accept.check_evidence(f"talk.{kind}", scaled, EVERY_FORMAT)


def test_a_format_not_agreed_is_refused_by_name_and_by_content():
    video_only = RecordingTerms(("MP4",), 50 * 1024 * 1024, 600)
    with pytest.raises(FileRejected, match="MP3 is not an agreed format for this unit \\(agreed: MP4\\)"):
        accept.check_evidence("discussion.mp3", recording(2, "mp3"), video_only)
    with pytest.raises(FileRejected, match="is M4A by its content, which is not an agreed format"):
        accept.check_evidence("discussion.mp4", recording(2, "m4a"), video_only)  # sound only, named .mp4


def test_content_of_another_format_under_an_agreed_name_is_refused():
    with pytest.raises(FileRejected, match=r"talk\.mp3 is named \.mp3 but its content is MP4"):
        accept.check_evidence("talk.mp3", recording(2, "mp4"), EVERY_FORMAT)


def test_a_recording_larger_than_agreed_is_refused_before_it_is_opened():
    small = RecordingTerms(("MP4",), 10_000, 600)
    with pytest.raises(FileRejected, match="the agreed largest recording is 0 MB"):
        accept.check_evidence("talk.mp4", recording(3, "mp4"), small)


def test_without_an_agreement_a_recording_is_refused_with_the_way_to_get_one():
    with pytest.raises(FileRejected, match="request one on the Assessment methods page"):
        accept.check_evidence("talk.mp4", recording(2, "mp4"))


def test_a_truncated_recording_is_refused_as_damaged_or_measured_by_what_it_holds():
    whole = recording(6, "webm")
    try:
        checked = accept.check_evidence("cut.webm", whole[: len(whole) // 2], EVERY_FORMAT)
    except FileRejected as refused:
        assert "cut.webm" in str(refused)
    else:  # WebM streams: the half that is there is measured, not the length the header declared
        assert checked.seconds < 5


def request_and_approve(db, formats=("MP4", "WebM"), max_mb=20, max_minutes=1):
    centre, quality = load_user(db, "centre.demo"), load_user(db, "quality.demo")
    qualification, unit = db.query_one(
        """SELECT a.qualification_code, min(q.unit_code) FROM centre_approvals a
           JOIN qualification_units q ON q.qualification_code = a.qualification_code
           WHERE a.centre_id = ? AND a.qualification_code NOT IN (SELECT qualification_code FROM method_requests
           WHERE centre_id = ?) GROUP BY 1 ORDER BY 1 LIMIT 1""", [centre.centre_id, centre.centre_id])
    request_id = methods.request_change(db, centre, qualification, [unit], ["presentation"], list(formats), 50, 10,
                                        WHY, now=NOW)
    methods.decide_change(db, quality, request_id, True, "Approved: name the learner at the start.",
                          list(formats), max_mb, max_minutes, now=NOW)
    return centre, request_id, qualification, unit


def test_an_approval_lets_the_centre_upload_a_recording_for_its_units_only(db, db_path):
    centre, request_id, qualification, unit = request_and_approve(db)
    learner = db.query_one("""SELECT r.learner_id FROM registrations r JOIN learners l ON l.id = r.learner_id
                              WHERE l.centre_id = ? AND r.qualification_code = ? AND r.expires_on > ?
                              AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = r.learner_id
                              AND s.unit_codes = ?) LIMIT 1""", [centre.centre_id, qualification, NOW, unit])[0]
    store = FileStore(Path(db_path).parent / "files")
    talk = Upload(samples.learner_file_name(db, learner, extension=".webm"), recording(5, "webm"))
    [item] = upload_units(db, store, centre, [UnitUpload(learner, unit, (talk,), None, "embedded")], now=NOW)
    files = submission_files(db, centre, item)
    assert files.duration_seconds.dropna().round().tolist() == [5.0] and files.word_count.isna().all()
    other_unit = db.query_one("""SELECT min(unit_code) FROM qualification_units WHERE qualification_code = ?
                                 AND unit_code <> ?""", [qualification, unit])[0]
    with pytest.raises(FileRejected, match="agreed change of assessment method"):
        upload_units(db, store, centre, [UnitUpload(learner, other_unit, (talk,), None, "embedded")], now=NOW)
    long_talk = Upload(samples.learner_file_name(db, learner, extension=".mp4"), recording(70, "mp4", size=(64, 48)))
    with pytest.raises(FileRejected, match="lasts 1 min 10 s"):
        upload_units(db, store, centre, [UnitUpload(learner, unit, (long_talk,), None, "embedded")], now=NOW)


def test_terms_for_several_units_are_what_every_unit_allows():
    import pandas as pd
    agreed = pd.DataFrame({"Unit": ["A", "B"], "Formats": ["MP4, WebM", "MP4, MP3"], "Largest (MB)": [100, 40],
                           "Longest (minutes)": [10, 20]})
    assert methods.terms_from(agreed, ["A", "B"]) == RecordingTerms(("MP4",), 40 * 1024 * 1024, 600)
    assert methods.terms_from(agreed, ["A", "C"]) is None
    assert methods.terms_from(agreed, []) is None


def test_the_confirmation_names_the_terms_and_both_sides_responsibilities(db):
    centre, request_id, qualification, unit = request_and_approve(db, ("MP4", "WebM"), 20, 1)
    document = docx.Document(io.BytesIO(confirmation_docx(db, centre, request_id)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert unit in cells and "MP4, WebM" in cells and "20 MB a recording" in cells and "1 minute" in cells
    assert "Approved: name the learner at the start." in text
    assert "ILM undertakes to" in text and "The centre undertakes to" in text
    harbourside = load_user(db, "harbourside.demo")
    with pytest.raises(NotFound):
        confirmation_docx(db, harbourside, request_id)


def test_requests_are_checked_and_decided_once(db):
    centre, quality = load_user(db, "centre.demo"), load_user(db, "quality.demo")
    qualification, unit = db.query_one("""SELECT a.qualification_code, min(q.unit_code) FROM centre_approvals a
                                          JOIN qualification_units q ON q.qualification_code = a.qualification_code
                                          WHERE a.centre_id = ? GROUP BY 1 ORDER BY 1 DESC LIMIT 1""",
                                       [centre.centre_id])
    with pytest.raises(Refused, match="at least one assessment method"):
        methods.request_change(db, centre, qualification, [unit], [], ["MP4"], 50, 10, WHY)
    with pytest.raises(Refused, match="at most 150 MB"):
        methods.request_change(db, centre, qualification, [unit], ["presentation"], ["MP4"], 500, 10, WHY)
    with pytest.raises(Refused, match="Say why"):
        methods.request_change(db, centre, qualification, [unit], ["presentation"], ["MP4"], 50, 10, "Easier.")
    with pytest.raises(Refused, match="is not part of"):
        methods.request_change(db, centre, qualification, ["9999-999"], ["presentation"], ["MP4"], 50, 10, WHY)
    with pytest.raises(NotAllowed):
        methods.decide_change(db, load_user(db, "assessor.demo"), 1, True, "Approved as asked.", ["MP4"], 50, 10)
    outcomes, barrier = [], threading.Barrier(3)

    def ask():
        barrier.wait()
        try:
            outcomes.append(methods.request_change(db, centre, qualification, [unit], ["presentation"], ["MP4"],
                                                   50, 10, WHY))
        except (Refused, ChangedMeanwhile) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(made) == 1
    methods.decide_change(db, quality, made[0], False, "Declined: the units need written evidence of planning.")
    with pytest.raises(Refused, match="decided already"):
        methods.decide_change(db, quality, made[0], True, "Approved after all.", ["MP4"], 50, 10)
    listed = methods.requests(db, centre).set_index("Request")
    assert listed.loc[made[0], "Status"] == "Declined"
    with pytest.raises(Refused, match="not approved"):
        confirmation_docx(db, centre, made[0])
