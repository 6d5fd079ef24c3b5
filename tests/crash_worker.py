"""A child process for tests/test_crash.py: the upload -> submit -> quality check -> allocate -> mark -> release
loop on one database, for ever, until it is killed. Prints "ready" once, then one line per finished item."""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

from lib.accounts.auth import user_by_username
from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.service import allocation, marking, quality_check, release
from lib.store.db import Database
from lib.store.files import FileStore
from tests import samples

NOW = datetime(2026, 11, 23, 10, 30)


def fresh_learner_units(db: Database, centre_id: int, how_many: int) -> list[tuple]:
    return db.query_all(
        """SELECT l.id, l.enr, u.unit_code FROM learners l
           JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > ?
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id AND contains(s.unit_codes, u.unit_code))
           ORDER BY random() LIMIT ?""", [centre_id, NOW.date(), how_many])


def main(db_path: str, files_dir: str) -> None:
    db = Database.open(Path(db_path))
    store = FileStore(Path(files_dir))
    people = {name: user_by_username(db, f"{name}.demo") for name in ("centre", "team", "assessor")}
    evidence = samples.word_document(words=400)
    sheet = samples.result_sheet()
    print("ready", flush=True)
    for learner_id, enr, unit in fresh_learner_units(db, people["centre"].centre_id, 500):
        upload = UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", evidence),),
                            Upload("Sheet.docx", sheet), EMBEDDED)
        [item] = uploads.upload_units(db, store, people["centre"], [upload], now=NOW)
        submitting.submit(db, people["centre"], [item], quality_confirmed=True, now=NOW)
        quality_check.accept(db, people["team"], item, now=NOW)
        allocation.allocate(db, people["team"], item, people["assessor"].id, now=NOW)
        marking.mark_unit(db, store, people["assessor"], item, unit, "Pass", 70, "Good", Upload("Marked.docx", sheet),
                          now=NOW, chance=random.Random(0))
        release.release(db, people["team"], [item], now=NOW)
        print(item, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
