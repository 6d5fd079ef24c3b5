import hashlib
import os
import stat
import subprocess
import sys
import textwrap

import duckdb
import pytest

from lib.config import load_settings
from lib.startup import StartupProblem, open_database, read_secrets, resolve_cookie_key
from lib.store.migrate import latest_version


def settings_for(tmp_path, **extra):
    env = {"ILMA_DB": str(tmp_path / "data" / "ilma.duckdb"), **extra}
    return load_settings(env)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_start_builds_the_demo_database_and_a_second_changes_nothing(tmp_path):
    settings = settings_for(tmp_path)
    opened = open_database(settings, demo_submissions=200)
    assert opened.created_demo
    count = opened.db.query_one("SELECT count(*) FROM submissions")[0]
    opened.db.close()
    again = open_database(settings, demo_submissions=200)
    assert not again.created_demo
    assert again.db.query_one("SELECT count(*) FROM submissions")[0] == count == 200
    assert again.db.query_one("SELECT count(*) FROM schema_version")[0] == latest_version()
    assert settings.files_dir.is_dir() and settings.files_dir == settings.db_path.parent / "files"
    assert again.db.query_one("SELECT count(*) FROM files WHERE kind = 'marked_result_sheet'")[0] > 0
    assert any(settings.files_dir.rglob("*"))
    again.db.close()


def test_an_unwritable_data_directory_is_explained_and_nothing_is_created(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    settings = load_settings({"ILMA_DB": str(blocker / "data" / "ilma.duckdb")})
    with pytest.raises(StartupProblem) as raised:
        open_database(settings, demo_submissions=50)
    assert "cannot be created" in raised.value.title and "ILMA_DB" in raised.value.remedy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_data_directory_is_explained(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with pytest.raises(StartupProblem, match="not writable"):
        open_database(settings_for(tmp_path), demo_submissions=50)


def test_a_database_held_by_another_process_is_explained_untouched(tmp_path):
    settings = settings_for(tmp_path)
    open_database(settings, demo_submissions=50).db.close()
    before = digest(settings.db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            connection = duckdb.connect({str(settings.db_path)!r})
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StartupProblem) as raised:
            open_database(settings)
        assert "in use by another program" in raised.value.title
        assert f"PID {holder.pid}" in raised.value.detail
    finally:
        holder.communicate("")
    assert digest(settings.db_path) == before


def test_a_database_from_a_newer_app_is_explained_untouched(tmp_path):
    settings = settings_for(tmp_path)
    open_database(settings, demo_submissions=50).db.close()
    connection = duckdb.connect(str(settings.db_path))
    connection.execute("INSERT INTO schema_version VALUES (?, 'future', now())", [latest_version() + 5])
    connection.close()
    before = digest(settings.db_path)
    with pytest.raises(StartupProblem) as raised:
        open_database(settings)
    assert "newer version" in raised.value.title and str(latest_version() + 5) in raised.value.detail
    assert digest(settings.db_path) == before


def test_a_failed_demo_build_leaves_no_database_behind(tmp_path, monkeypatch):
    from lib import demo

    def explode(*args, **kwargs):
        raise RuntimeError("disk full half-way")

    monkeypatch.setattr(demo, "seed", explode)
    settings = settings_for(tmp_path)
    with pytest.raises(RuntimeError):
        open_database(settings, demo_submissions=50)
    assert not settings.db_path.exists()
    assert list(settings.db_path.parent.iterdir()) == []


STRONG = "Qm7vX2pL9tR4wZ8kN3bY6cH1jF5dG0sAeU-yT_oI"  # a key with real randomness


def test_cookie_key_from_the_environment_wins(tmp_path):
    settings = settings_for(tmp_path, ILMA_COOKIE_KEY=STRONG)
    assert resolve_cookie_key(settings, {"auth": {"cookie_key": "x" * 40}}) == STRONG


def test_cookie_key_from_secrets(tmp_path):
    assert resolve_cookie_key(settings_for(tmp_path), {"auth": {"cookie_key": STRONG}}) == STRONG


def test_no_secrets_file_generates_a_private_key_and_keeps_it(tmp_path):
    settings = settings_for(tmp_path)
    settings.cookie_key_file.parent.mkdir(parents=True)
    first = resolve_cookie_key(settings, None)
    assert len(first) >= 48 and first == resolve_cookie_key(settings, None)
    assert stat.S_IMODE(settings.cookie_key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("secrets", [{}, {"auth": {}}, {"auth": {"cookie_key": ""}}, {"auth": "oops"}])
def test_an_empty_secrets_file_is_explained(tmp_path, secrets):
    with pytest.raises(StartupProblem, match="no cookie key"):
        resolve_cookie_key(settings_for(tmp_path), secrets)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("key", ["some_key", "short", "k" * 48, "x" * 32, "abc123" * 8, "test-cookie-key-" + "x" * 40])
def test_weak_or_library_default_keys_are_refused(tmp_path, key):
    with pytest.raises(StartupProblem, match="too weak"):
        resolve_cookie_key(settings_for(tmp_path), {"auth": {"cookie_key": key}})


def test_a_random_hex_key_of_32_characters_is_strong_enough(tmp_path):
    key = "3f9a1c7e5b2d8046af1e9c3b7d5a2e60"
    assert resolve_cookie_key(settings_for(tmp_path), {"auth": {"cookie_key": key}}) == key


def test_reading_secrets_files(tmp_path):
    missing = tmp_path / "missing.toml"
    assert read_secrets((missing,)) is None
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert read_secrets((empty,)) == {}
    good = tmp_path / "good.toml"
    good.write_text(f'[auth]\ncookie_key = "{STRONG}"\n')
    assert read_secrets((missing, good)) == {"auth": {"cookie_key": STRONG}}
    broken = tmp_path / "broken.toml"
    broken.write_text("[auth\ncookie_key = ")
    with pytest.raises(StartupProblem, match="cannot be read"):
        read_secrets((broken,))


def test_the_server_caps_its_malloc_arenas_on_glibc():
    import platform

    from lib.startup import limit_malloc_arenas

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert limit_malloc_arenas(8) is True  # the process default on this machine: nothing else changes
