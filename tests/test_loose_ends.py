"""The last loose ends found from outside: each answered with a clear refusal instead of a raw exception or a
silent acceptance."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest

from lib.admin import retention
from lib.centre.tracker import tracker_page
from lib.centre.uploads import Upload
from lib.config import PROJECT_ROOT
from lib.errors import NotFound, Refused
from lib.hei import credentials, release_check
from lib.service import allocation, release, settings
from lib.service.marking import check_mark
from lib.startup import StartupProblem, _strong
from lib.store.files import FileStore
from lib.store.grid import EQUALS, ColumnFilter, Condition, FilterError, GridQuery
from tests.conftest import load_user


@pytest.mark.parametrize("mark", [float("inf"), float("-inf"), -1e309, float("nan"), True, False, 50.5, "1e400"])
def test_marks_that_are_not_marks_are_refused(mark):
    with pytest.raises(Refused, match="whole number from 0 to 100"):
        check_mark("Pass", mark, "Good work.")


@pytest.mark.parametrize("typed", ["inf", "1e400", "-1e400", "nan", "1e16"])
def test_a_tracker_id_filter_that_is_no_id_says_so(db, typed):
    centre = load_user(db, "centre.demo")
    with pytest.raises(FilterError, match="takes a number"):
        tracker_page(db, centre, GridQuery((ColumnFilter("ID", Condition(EQUALS, typed)),)))


def test_releasing_an_item_that_does_not_exist_is_refused(db):
    with pytest.raises(Refused, match="Item 999999 is not waiting to be released"):
        release.release(db, load_user(db, "team.demo"), [999999])


def test_a_conflict_with_a_centre_that_does_not_exist_is_refused(db):
    assessor_id = db.query_one("SELECT id FROM users WHERE role = 'assessor' ORDER BY id LIMIT 1")[0]
    with pytest.raises(NotFound, match="no such centre"):
        allocation.record_conflict(db, load_user(db, "team.demo"), assessor_id, 987654, "Former employer.")
    assert db.query_one("SELECT count(*) FROM conflicts_of_interest WHERE centre_id = 987654")[0] == 0


@pytest.mark.parametrize("typed", ["١٢", "１２", "12\u0663", True])
def test_settings_take_plain_digits_only(db, typed):
    before = db.query_one("SELECT value FROM settings WHERE key = 'sampling_first_markings'")[0]
    with pytest.raises(Refused, match="digits 0 to 9"):
        settings.update_setting(db, load_user(db, "team.demo"), "sampling_first_markings", typed)
    assert db.query_one("SELECT value FROM settings WHERE key = 'sampling_first_markings'")[0] == before


@pytest.mark.parametrize("key", ["abcdefghijklmnopqrstuvwxyz0123456789", "0123456789abcdefghijklmnopqrstuvwxyz",
                                 "test-cookie-key-9Kq2vLwX7pR4tZ8mN3bY6cH1jF5dG0sA", "qwertyuiopasdfghjklzxcvbnm1234567890"])
def test_cookie_keys_with_a_pattern_or_published_are_refused(key):
    with pytest.raises(StartupProblem, match="cookie key is too weak"):
        _strong(key, "the test")


def test_a_badge_template_id_is_what_credly_shows(db):
    quality = load_user(db, "quality.demo")
    programme = db.query_one("SELECT id FROM hei_programmes ORDER BY id LIMIT 1")[0]
    for bad in ("../admin?x=1", "a b", "x" * 65, "<script>"):
        with pytest.raises(Refused, match="letters, digits and hyphens"):
            credentials.save_metadata(db, quality, programme, bad, "Name", "Description", "Criteria", [], None)


def test_an_order_export_with_an_address_that_is_not_one_is_refused(db):
    quality = load_user(db, "quality.demo")
    programme, enr = db.query_one(
        """SELECT p.id, l.enr FROM hei_programmes p JOIN learners l ON l.centre_id = p.centre_id ORDER BY p.id LIMIT 1""")
    export = Upload("order.csv", f"ENR,Email,Claimed\n{enr},not an address,yes\n".encode())
    with pytest.raises(Refused, match=f"The email of {enr} is not an email address"):
        release_check.import_order(db, quality, programme, "WG-BAD01", export)


def test_two_archive_runs_at_once_the_second_is_told(db, db_path, tmp_path, monkeypatch):
    team = load_user(db, "team.demo")
    real_chunk = retention._archive_chunk
    started = threading.Event()

    def slow_chunk(*args, **kwargs):
        started.set()
        time.sleep(1.5)
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(retention, "_archive_chunk", slow_chunk)
    store = FileStore(db_path.parent / "files")
    first = threading.Thread(target=retention.archive, args=(db, team, store, tmp_path / "archive"),
                             kwargs={"before": datetime(2025, 6, 1)})
    first.start()
    assert started.wait(30)
    with pytest.raises(Refused, match="already under way"):
        retention.archive(db, team, store, tmp_path / "archive", before=datetime(2025, 6, 1))
    first.join()


def test_import_registrations_with_no_database_there_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    (tmp_path / "export.csv").write_text("Centre Number,ENR\n")
    done = subprocess.run([sys.executable, "-m", "lib", "import-registrations", str(tmp_path / "export.csv"), "--db",
                           str(missing)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "There is no database at" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and not missing.exists()
