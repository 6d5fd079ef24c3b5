"""A centre user sees nothing of another centre, through every lib function that takes the user.

Each function is called as a user of centre A twice: on the demo database, and on a copy from
which all of centre B's data has been deleted. The answers must be the same; an unscoped
function answers differently because B's rows count in the first. Functions with id
parameters are also called with B's ids and must find nothing.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import shutil
from datetime import datetime

import pandas as pd
import pytest

import lib
from lib.analytics.home import ServiceWide
from lib.errors import Refused
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import REGISTRY, NotAllowed, NotFound
from tests.conftest import files_beside, load_user

CENTRE_A_USER = "centre.demo"  # centre 012345
CENTRE_B_NUMBER = "023456"
CENTRE_B_USER = "harbourside.demo"
# ILM Mapped is for universities: its reads are checked with the demo's university as the other centre.
HEI_NUMBER, HEI_USER = "091234", "university.demo"
# Arguments that widen a call so that every row counts: a page of a million rows, ten years back.
# service_percent, service: the service-wide rates a page compares with, passed in (not the centre's own data).
# status: the enquiries waiting at one stage, the first a centre's enquiry reaches.
# A read that stamps what it makes with the time (the ILR file's DateTime) is given one time, so two readings compare.
WIDE_ARGUMENTS = {"limit": 1_000_000, "days": 3650, "service_percent": 20.0,
                  "service": ServiceWide(20.0, 20.0, None), "include_all": True,
                  "now": datetime(2026, 11, 23, 12), "base_url": "https://ilm.example", "unit_codes": ["8600-300"],
                  "status": "awaiting_reviewer"}


def lib_functions_taking_a_user():
    found = {}
    for module_info in pkgutil.walk_packages(lib.__path__, "lib."):
        if module_info.name.startswith("lib.ui"):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_") \
                    and "user" in inspect.signature(function).parameters:
                found[f"{module.__name__}.{function.__qualname__}"] = function
    return found


def test_every_function_taking_a_user_is_registered():
    unregistered = sorted(set(ALL_TAKING_A_USER) - set(REGISTRY))
    assert not unregistered, f"register these in lib.store.scope (reads/writes/not_centre_data): {unregistered}"


def normalise(value):
    if isinstance(value, pd.DataFrame):
        return value.astype(object).where(value.notna(), None).to_dict("split")
    if dataclasses.is_dataclass(value):
        return {f.name: normalise(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, pd.DataFrame):
        return value.empty
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


def delete_centre(db: Database, number: str) -> None:
    centre_id = db.query_one("SELECT id FROM centres WHERE number = ?", [number])[0]
    with db.cursor() as cursor:
        cursor.execute("DELETE FROM submission_units WHERE submission_id IN "
                       "(SELECT id FROM submissions WHERE centre_id = ?)", [centre_id])
        cursor.execute("DELETE FROM files WHERE submission_id IN (SELECT id FROM submissions WHERE centre_id = ?)",
                       [centre_id])
        cursor.execute("DELETE FROM registrations WHERE learner_id IN (SELECT id FROM learners WHERE centre_id = ?)",
                       [centre_id])
        for table in ("submissions", "learners", "batches", "centre_approvals", "invoices", "eqa_alerts", "enquiries",
                      "method_requests", "programmes", "learner_records", "hei_programmes",
                      "hei_change_requests", "release_checks"):
            cursor.execute(f"DELETE FROM {table} WHERE centre_id = ?", [centre_id])


def centre_b_ids(db: Database) -> dict[str, int]:
    centre_id = db.query_one("SELECT id FROM centres WHERE number = ?", [CENTRE_B_NUMBER])[0]
    return {
        "submission": db.query_one("SELECT max(id) FROM submissions WHERE centre_id = ?", [centre_id])[0],
        "learner": db.query_one("SELECT max(id) FROM learners WHERE centre_id = ?", [centre_id])[0],
        "batch": db.query_one("SELECT max(id) FROM batches WHERE centre_id = ?", [centre_id])[0],
        "file": db.query_one("SELECT max(f.id) FROM files f JOIN submissions s ON s.id = f.submission_id "
                             "WHERE s.centre_id = ?", [centre_id])[0] or -1,
        "alert": db.query_one("SELECT max(id) FROM eqa_alerts WHERE centre_id = ?", [centre_id])[0] or -1,
        "malpractice_case": db.query_one("SELECT max(m.id) FROM malpractice_cases m JOIN submissions s "
                                         "ON s.id = m.submission_id WHERE s.centre_id = ?", [centre_id])[0] or -1,
        "enquiry": db.query_one("SELECT max(id) FROM enquiries WHERE centre_id = ?", [centre_id])[0] or -1,
        "method_request": db.query_one("SELECT max(id) FROM method_requests WHERE centre_id = ?", [centre_id])[0]
        or -1,
        "programme": db.query_one("SELECT max(id) FROM programmes WHERE centre_id = ?", [centre_id])[0] or -1,
        "learner_record": db.query_one("SELECT max(id) FROM learner_records WHERE centre_id = ?", [centre_id])[0]
        or -1,
        # Universities' records: the demo's university is the other centre for these.
        "hei_programme": db.query_one("SELECT max(id) FROM hei_programmes")[0],
        "hei_change": db.query_one("SELECT max(id) FROM hei_change_requests")[0],
        "release_check": db.query_one("SELECT max(id) FROM release_checks")[0],
    }


def _without(db_path, tmp_path, number: str):
    path = tmp_path / f"without_{number}.duckdb"
    shutil.copy(db_path, path)
    database = Database.open(path)
    delete_centre(database, number)
    return database


@pytest.fixture
def without_b(db_path, tmp_path):
    database = _without(db_path, tmp_path, CENTRE_B_NUMBER)
    yield database
    database.close()


@pytest.fixture
def without_hei(db_path, tmp_path):
    database = _without(db_path, tmp_path, HEI_NUMBER)
    yield database
    database.close()


ALL_TAKING_A_USER = lib_functions_taking_a_user()  # imports every lib module, so the registry is complete
READS = sorted(name for name, entry in REGISTRY.items() if entry.kind == "read")


def call(entry, db, user, ids=None):
    parameters = inspect.signature(entry.function).parameters
    kwargs = {name: value for name, value in WIDE_ARGUMENTS.items() if name in parameters}
    for name, entity in entry.probes.items():
        kwargs[name] = [ids[entity]] if name.endswith("_ids") else ids[entity]
    if "store" in parameters:
        kwargs["store"] = FileStore(files_beside(db))
    try:
        return entry.function(db, user, **kwargs)
    except Refused as refusal:  # "nothing to export yet" is what the user is told: it is compared like any answer
        return ("refused", str(refusal))


@pytest.mark.parametrize("name", [name for name in READS if not name.startswith("lib.hei.")])
def test_centre_a_sees_the_same_with_or_without_centre_b(name, db, without_b):
    entry = REGISTRY[name]
    if entry.probes:
        pytest.skip("id-based reads are checked with B's ids below")
    user = load_user(db, CENTRE_A_USER)
    try:
        seen = call(entry, db, user)
    except NotAllowed:
        return  # ILM-side only: a centre user gets nothing at all
    assert normalise(seen) == normalise(call(entry, without_b, user))
    centre_b = load_user(db, CENTRE_B_USER)
    assert normalise(call(entry, db, centre_b)) != normalise(call(entry, without_b, centre_b)), \
        "deleting centre B changed nothing even for centre B: this check would not catch a leak"


@pytest.mark.parametrize("name", [name for name in READS if name.startswith("lib.hei.")])
def test_centre_a_sees_the_same_with_or_without_the_university(name, db, without_hei):
    entry = REGISTRY[name]
    if entry.probes:
        pytest.skip("id-based reads are checked with the university's ids below")
    user = load_user(db, CENTRE_A_USER)
    try:
        seen = call(entry, db, user)
    except NotAllowed:
        return
    assert normalise(seen) == normalise(call(entry, without_hei, user))
    university = load_user(db, HEI_USER)
    assert normalise(call(entry, db, university)) != normalise(call(entry, without_hei, university)), \
        "deleting the university changed nothing even for it: this check would not catch a leak"


@pytest.mark.parametrize("name", sorted(n for n, e in REGISTRY.items() if e.probes and e.kind == "read"))
def test_centre_a_finds_nothing_by_centre_b_ids(name, db):
    entry = REGISTRY[name]
    user = load_user(db, CENTRE_A_USER)
    try:
        result = call(entry, db, user, centre_b_ids(db))
    except (NotFound, NotAllowed):
        return
    assert is_empty(result), f"{name} returned centre B's data to a centre A user"


def test_the_registry_is_not_empty():
    assert len(READS) >= 3
