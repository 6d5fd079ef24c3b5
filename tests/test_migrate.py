import duckdb
import pytest

from lib.store.migrate import SchemaTooNew, available_migrations, current_version, latest_version, migrate


def test_a_new_database_gets_every_migration_once(tmp_path):
    connection = duckdb.connect(str(tmp_path / "new.duckdb"))
    assert migrate(connection) == [m.version for m in available_migrations()]
    assert current_version(connection) == latest_version()
    assert migrate(connection) == []
    tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"centres", "centre_approvals", "users", "qualifications", "units", "learners", "registrations",
            "submissions", "submission_units", "files", "batches", "audit_log", "sessions"} <= tables


def test_a_database_from_a_newer_app_is_refused_untouched(tmp_path):
    connection = duckdb.connect(str(tmp_path / "newer.duckdb"))
    migrate(connection)
    connection.execute("INSERT INTO schema_version VALUES (?, 'from the future', now())", [latest_version() + 1])
    before = connection.execute("SELECT count(*) FROM schema_version").fetchone()
    with pytest.raises(SchemaTooNew) as raised:
        migrate(connection)
    assert raised.value.found == latest_version() + 1
    assert connection.execute("SELECT count(*) FROM schema_version").fetchone() == before


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    from lib.store import migrate as migrate_module

    broken = [*available_migrations(), migrate_module.Migration(latest_version() + 1, "broken",
                                                                "CREATE TABLE half_done (a INT); SELECT nonsense")]
    monkeypatch.setattr(migrate_module, "available_migrations", lambda folder=None: broken)
    monkeypatch.setattr(migrate_module, "latest_version", lambda: len(broken))
    connection = duckdb.connect(str(tmp_path / "broken.duckdb"))
    with pytest.raises(duckdb.Error):
        migrate_module.migrate(connection)
    assert current_version(connection) == len(broken) - 1
    assert connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'").fetchone()[0] == 0
