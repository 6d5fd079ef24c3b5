"""Evidence far beyond any guidance is refused at upload (a setting, 100,000 words by default), saying the unit's
guidance and the cap; evidence over the guidance but within the cap is still taken (the guidance is guidance)."""

from __future__ import annotations

import pytest

from lib.centre import uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.errors import Refused
from lib.store.files import FileStore
from tests import samples
from tests.conftest import load_user


def fresh_unit(db, centre):
    return db.query_one(
        """SELECT l.id, min(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id) GROUP BY l.id ORDER BY 1 LIMIT 1""",
        [centre.centre_id])


def upload(db, db_path, words: int):
    centre = load_user(db, "centre.demo")
    learner_id, unit = fresh_unit(db, centre)
    return uploads.upload_units(db, FileStore(db_path.parent / "files"), centre, [UnitUpload(
        learner_id, unit, (Upload(samples.learner_file_name(db, learner_id), samples.word_document(words=words)),),
        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)]), unit


def test_evidence_over_the_cap_is_refused_with_the_guidance_and_the_cap(db, db_path):
    before = db.query_one("SELECT count(*) FROM files")[0]
    with pytest.raises(Refused, match=r"S.Smith-\w+\(1\).docx has 100,001 words: the guidance for this unit is at most "
                                      r"[\d,]+ words, and the service does not accept evidence over 100,000 words"):
        upload(db, db_path, 100_001)
    assert db.query_one("SELECT count(*) FROM files")[0] == before


def test_the_cap_is_a_setting_and_over_the_guidance_within_it_is_taken(db, db_path):
    db.query_one("UPDATE settings SET value = '20000' WHERE key = 'evidence_word_cap' RETURNING key")
    with pytest.raises(Refused, match="over 20,000 words"):
        upload(db, db_path, 20_001)
    [item], unit = upload(db, db_path, 19_000)
    limit = db.query_one("SELECT word_limit FROM units WHERE code = ?", [unit])[0]
    assert limit < 19_000, "the file is over the unit's guidance, and taken"
    assert db.query_one("SELECT word_count FROM files WHERE submission_id = ? AND kind = 'evidence'", [item])[0] == 19_000
