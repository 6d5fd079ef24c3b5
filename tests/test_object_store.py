"""Issue 23, files through the S3 API: the bucket store (a real S3 server that checks signatures) keeps files as
the folder store does, and both pass the same tests: generated names, whole files, nothing left by a failed
upload, orphans quarantined only past the age threshold, rows whose file is missing reported."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from lib.centre import uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.config import load_settings
from lib.errors import NotFound, Refused
from lib.ops import jobs
from lib.startup import StartupProblem, _file_store
from lib.store.files import FileStore
from lib.store.objects import ObjectStore, ObjectStoreProblem, parse_files_url
from lib.store.reconcile import reconcile_files
from lib.store.stores import open_file_store
from tests import s3server, samples
from tests.conftest import load_user


@pytest.fixture
def s3(s3_server):
    return s3_server


@pytest.fixture
def prefix(request) -> str:
    """A key prefix of the test's own in the server's bucket."""
    return f"t{abs(hash(request.node.nodeid)) % 10**8}-{time.monotonic_ns() % 10**6}"


@pytest.fixture(params=["folder", "bucket"])
def store(request, tmp_path, monkeypatch):
    if request.param == "folder":
        return FileStore(tmp_path / "store")  # not the demo's folder beside the database
    server = request.getfixturevalue("s3")
    for key, value in server.env(s3server.BUCKET, request.getfixturevalue("prefix")).items():
        monkeypatch.setenv(key, value)
    return open_file_store(load_settings())


def stored_names(store) -> set[str]:
    if isinstance(store, ObjectStore):
        return {name for name, _ in store.entries()}
    return {f"{path.parent.name}/{path.name}" for path in store.root.glob("??/*") if not path.name.startswith(".")}


def test_a_file_is_kept_whole_under_a_generated_name_and_read_back(store):
    data = samples.word_document(words=2000)
    first, second = store.put(data), store.put(data)
    assert first != second and len(first) == 43 and first[2] == "/"
    assert store.read(first) == data
    assert stored_names(store) == {first, second}
    store.discard([first])
    assert stored_names(store) == {second}
    with pytest.raises(FileNotFoundError):
        store.read(first)
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_a_refused_upload_leaves_nothing_in_the_store(store, db):
    centre = load_user(db, "centre.demo")
    learner_id, enr, unit = db.query_one(
        """SELECT l.id, l.enr, min(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id) GROUP BY l.id, l.enr ORDER BY 1 LIMIT 1""",
        [centre.centre_id])
    good = UnitUpload(learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document()),),
                      Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)
    # The second row is refused inside the transaction, after the first row's files were stored.
    with pytest.raises(Refused):
        uploads.upload_units(db, store, centre, [good, UnitUpload(learner_id, unit, good.evidence, good.result_sheet)])
    assert stored_names(store) == set()
    [item] = uploads.upload_units(db, store, centre, [good])
    files = uploads.submission_files(db, centre, item)
    assert {name for (name,) in db.query_all("SELECT stored_name FROM files WHERE submission_id = ?", [item])} \
        == stored_names(store)
    file_id = int(files[files.kind == "evidence"].id.iloc[0])
    assert uploads.read_file(db, centre, file_id, store)[1] == good.evidence[0].data


def test_reconciling_quarantines_only_old_orphans_and_reports_missing_files(store, db):
    referenced = db.query_one("SELECT stored_name FROM files LIMIT 1")
    orphan = store.put(b"no row points to this")
    fresh = reconcile_files(db, store, older_than_seconds=3600)
    assert fresh.orphans_quarantined == 0 and orphan in stored_names(store), "an upload in flight is left alone"
    outcome = reconcile_files(db, store, older_than_seconds=0, now=datetime(2026, 12, 3, 9, 30))
    assert outcome.orphans_quarantined == 1 and orphan not in stored_names(store)
    assert "20261203-093000" in outcome.quarantine_folder
    if referenced:
        assert referenced[0] in outcome.missing


def test_the_bucket_refuses_a_wrong_signature(s3, prefix):
    s3.client().put_object(Bucket=s3server.BUCKET, Key=f"{prefix}/ab/x", Body=b"secret")
    with pytest.raises(ClientError) as refused:
        s3.client(secret_key="not-the-secret").get_object(Bucket=s3server.BUCKET, Key=f"{prefix}/ab/x")
    assert refused.value.response["Error"]["Code"] in ("SignatureDoesNotMatch", "AccessDenied", "403")


def test_a_download_link_serves_the_file_under_its_name_and_then_expires(s3, prefix, monkeypatch):
    for key, value in s3.env(s3server.BUCKET, prefix).items():
        monkeypatch.setenv(key, value)
    store = open_file_store(load_settings())
    name = store.put(b"%PDF-1.7 marked sheet")
    with urllib.request.urlopen(store.link(name, "Marked sheet 6001 – Zoë.pdf")) as answer:
        assert answer.read() == b"%PDF-1.7 marked sheet"
        assert "Marked%20sheet%206001%20%E2%80%93%20Zo%C3%AB.pdf" in answer.headers["Content-Disposition"]
    short = store.link(name, "x.pdf", seconds=1)
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short)
    assert expired.value.code == 403


def test_the_settings_choose_the_store_and_a_bad_bucket_stops_the_start_with_what_to_do(s3, monkeypatch, tmp_path):
    bucket = s3server.BUCKET
    monkeypatch.setenv("ILMA_DB", str(tmp_path / "ilma.duckdb"))
    monkeypatch.delenv("ILMA_FILES", raising=False)
    assert isinstance(open_file_store(load_settings()), FileStore)
    for key, value in s3.env(bucket, "a/b").items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.files_url == f"s3://{bucket}/a/b" and isinstance(_file_store(settings), ObjectStore)
    monkeypatch.setenv("ILMA_FILES", "s3://no-such-bucket-here/files")
    with pytest.raises(StartupProblem) as problem:
        _file_store(load_settings())
    assert "no-such-bucket-here refused the app" in problem.value.detail
    monkeypatch.setenv("ILMA_FILES", f"s3://{bucket}/files")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(StartupProblem):
        _file_store(load_settings())
    with pytest.raises(ObjectStoreProblem):
        parse_files_url("s3://Not_A_Bucket/x")
    monkeypatch.setenv("ILMA_S3_ENDPOINT", "localhost:8333")  # no scheme
    with pytest.raises(StartupProblem) as problem:
        _file_store(load_settings())
    assert "give it in full" in problem.value.detail
    monkeypatch.setenv("ILMA_S3_ENDPOINT", s3.endpoint)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(StartupProblem) as problem:
        _file_store(load_settings())
    assert "No credentials for the object store" in problem.value.detail


def test_backup_and_archive_with_files_in_a_bucket(s3, prefix, monkeypatch, db, tmp_path):
    """The embedded backup needs the folder store and says so; PostgreSQL's backup reads the bucket (here it holds
    none of the demo's files, which the backup names as missing). An archive missing a file stops, rows live."""
    for key, value in s3.env(s3server.BUCKET, prefix).items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    team = load_user(db, "team.demo")
    backed_up = jobs.run(db, open_file_store(settings), settings, "backup", team, "command", {"to": str(tmp_path)})
    if db.dialect == "duckdb":
        assert backed_up.outcome == "failed" and "folder file store" in backed_up.message
    else:
        assert backed_up.outcome == "done", backed_up.message
        assert backed_up.figures["missing_files"] == db.query_one("SELECT count(*) FROM files")[0] > 0
    # The archive works on a bucket too (tests/test_retention.py); here the demo's files are not in the bucket, so
    # the run stops at the first one missing, with the rows of that chunk still live.
    due = db.query_one("SELECT count(*) FROM submissions WHERE stage IN ('released', 'rejected')")[0]
    archived = jobs.run(db, open_file_store(settings), settings, "archive", team, "command",
                        {"before": "2100-01-01"})
    assert archived.outcome == "failed"
    assert db.query_one("SELECT count(*) FROM submissions WHERE stage IN ('released', 'rejected')")[0] == due


def test_a_first_start_on_a_bucket_builds_the_demo_with_its_files_in_the_bucket(s3, prefix, monkeypatch, tmp_path):
    from lib.startup import open_database

    monkeypatch.setenv("ILMA_DB", str(tmp_path / "ilma.duckdb"))
    for key, value in s3.env(s3server.BUCKET, prefix).items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    opened = open_database(settings, demo_submissions=300)
    try:
        store = open_file_store(settings)
        rows = {name for (name,) in opened.db.query_all("SELECT stored_name FROM files")}
        assert rows and rows <= stored_names(store), "every file a row points to is in the bucket"
        assert reconcile_files(opened.db, store).missing == []
        assert not (tmp_path / "files").exists(), "nothing is written to a folder"
    finally:
        opened.db.close()


def _upload_one(db, store, centre) -> int:
    learner_id, enr, unit = db.query_one(
        """SELECT l.id, l.enr, min(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id) GROUP BY l.id, l.enr ORDER BY 1 LIMIT 1""",
        [centre.centre_id])
    [item] = uploads.upload_units(db, store, centre, [UnitUpload(
        learner_id, unit, (Upload(f"S.Smith-{enr}(1).docx", samples.word_document()),),
        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
    return item


def test_a_download_link_is_signed_only_for_a_file_the_user_may_see(s3, prefix, monkeypatch, db):
    for key, value in s3.env(s3server.BUCKET, prefix).items():
        monkeypatch.setenv(key, value)
    store = open_file_store(load_settings())
    centre, other = load_user(db, "centre.demo"), load_user(db, "harbourside.demo")
    item = _upload_one(db, store, centre)
    file_id = int(uploads.submission_files(db, centre, item).id.iloc[0])
    with urllib.request.urlopen(uploads.file_link(db, centre, file_id, store)) as answer:
        assert answer.read() == uploads.read_file(db, centre, file_id, store)[1]
    with pytest.raises(NotFound):
        uploads.file_link(db, other, file_id, store)


def test_pending_offers_a_signed_link_not_the_bytes_when_files_are_in_a_bucket(s3, prefix, monkeypatch, db_path,
                                                                                tmp_path):
    from lib.store.db import Database
    from tests.apptest_helpers import STRONG_KEY, new_app, sign_in, tick

    for key, value in s3.env(s3server.BUCKET, prefix).items():
        monkeypatch.setenv(key, value)
    database = Database.open(db_path)
    try:
        item = _upload_one(database, open_file_store(load_settings()), load_user(database, "centre.demo"))
    finally:
        database.close()
    monkeypatch.setenv("ILMA_DB", str(db_path))
    monkeypatch.setenv("ILMA_COOKIE_KEY", STRONG_KEY)
    monkeypatch.setenv("ILMA_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    at = sign_in(new_app(), "centre.demo")
    at.switch_page("pages/centre/pending_page.py").run()
    row = at.dataframe[0].value.ID.tolist().index(item)
    tick(at, "pending_table", [row])
    links = [button.proto.url for button in at.get("link_button") if button.proto.label == "Download"]
    assert links and not [b for b in at.get("download_button") if b.proto.label == "Download"]
    with urllib.request.urlopen(links[0]) as answer:
        assert answer.read()[:2] == b"PK"
