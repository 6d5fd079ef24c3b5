"""Opening the app's storage: checks that explain what is wrong instead of failing half-way.

Each check runs before anything is written, so a refused start leaves the disk as it was.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import secrets
import tempfile
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lib import demo
from lib.config import Settings
from lib.hei import open_badges
from lib.store.db import Database, DatabaseLocked, connect
from lib.store.files import FileStore
from lib.store.migrate import SchemaTooNew, check_not_newer, migrate, migrate_database
from lib.store.objects import ObjectStore, ObjectStoreProblem
from lib.store.reconcile import reconcile_files
from lib.store.stores import open_file_store

MIN_COOKIE_KEY_LENGTH = 32
# A 32-character random hex key estimates at about 120 bits; 32 identical characters at 0.
MIN_COOKIE_KEY_BITS = 100
# streamlit-authenticator's documented example values: a key anyone can read is no key.
# The repository's own test keys, published with it until 2026-12 (tests now make a key per run), likewise.
KNOWN_WEAK_KEYS = {"some_key", "some_signature_key", "abcdef", "random_signature_key",
                   "test-cookie-key-9Kq2vLwX7pR4tZ8mN3bY6cH1jF5dG0sA", "browser-test-key-Zr5Wm2Qx8Lc4Vt7Hn1Bk9Pd3Fs6Gj0Ya",
                   "bench-cookie-key-Hq4Tz8Rm2Wx6Kp0Lv3Nc7Bd1Fj5Gs9Ya"}


M_ARENA_MAX = -8  # glibc's mallopt parameter for the number of malloc arenas
SERVER_ARENAS = 2


def limit_malloc_arenas(arenas: int = SERVER_ARENAS) -> bool:
    """Cap glibc's malloc arenas. Streamlit runs each session's script in a thread of its own, and glibc gives
    busy threads arenas of their own (up to eight per core), whose freed memory stays with them: the server's
    memory then grows with the sessions. bench/load.py measured 15 MB a session at 30 sessions, 12 MB with two
    arenas, for no loss of speed. Elsewhere than glibc this does nothing; says whether it took."""
    try:
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas))
    except (AttributeError, OSError):
        return False


class StartupProblem(Exception):
    """Something outside the code stops the app from starting; says what and what to do."""

    def __init__(self, title: str, detail: str, remedy: str):
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail
        self.remedy = remedy


@dataclass(frozen=True)
class Opened:
    db: Database
    created_demo: bool


def _check_writable(folder: Path, what: str, env_name: str) -> None:
    """The folder exists (or can be made) and accepts a new file; the probe file is removed again."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise StartupProblem(
            f"The {what} folder cannot be created",
            f"{existing} is a file, so {folder} cannot be a folder.",
            f"Set {env_name} to a path in a folder the app may write to, or move {existing} out of the way.",
        )
    try:
        if existing == folder:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
                pass
        elif not os.access(existing, os.W_OK):
            raise PermissionError(existing)
    except OSError as error:
        raise StartupProblem(
            f"The {what} folder is not writable",
            f"The app cannot write to {folder} ({error.strerror or error}).",
            f"Give the user that runs the app write permission on {folder}, or set {env_name} to a writable path.",
        ) from error


def _check_schema(path: Path) -> None:
    """Refuse a database written by a newer app, reading it without changing it."""
    connection = connect(path, read_only=True)
    try:
        check_not_newer(connection)
    finally:
        connection.close()


def _file_store(settings: Settings) -> FileStore | ObjectStore:
    """The store the settings name, checked: a folder the app may write to, or a bucket it can reach."""
    if not settings.files_url:
        _check_writable(settings.files_dir, "file store", "ILMA_FILES")
        return FileStore(settings.files_dir)
    try:
        store = open_file_store(settings)
        store.check()
    except ObjectStoreProblem as problem:
        raise StartupProblem("The file store cannot be used", str(problem),
                             "Set ILMA_FILES to s3://bucket/prefix, ILMA_S3_ENDPOINT to the store's address, and "
                             "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to credentials that may read and write the "
                             "bucket; or leave ILMA_FILES unset for the folder beside the database.") from None
    return store


def open_database(settings: Settings, demo_submissions: int = demo.DEFAULT_APP_SUBMISSIONS) -> Opened:
    """Open (creating with demo data on first start) and migrate the app's database."""
    if settings.database_url:
        return _open_postgres(settings, demo_submissions)
    _check_writable(settings.db_path.parent, "database", "ILMA_DB")
    store = _file_store(settings)
    try:
        created = False
        if not settings.db_path.exists():
            settings.db_path.parent.mkdir(parents=True, exist_ok=True)
            demo.build(settings.db_path, demo_submissions, store=store)
            created = True
        else:
            _check_schema(settings.db_path)
        connection = connect(settings.db_path)
        try:
            migrate(connection)
        except BaseException:
            connection.close()
            raise
        db = Database(connection, settings.db_path)
        if isinstance(store, FileStore):  # a bucket is reconciled by the scheduled job, with an age threshold
            settings.files_dir.mkdir(parents=True, exist_ok=True)
            reconcile_files(db, store)
        # The credentials' public documents, again at every start: the folder is not in backups, and the public
        # address may have changed.
        open_badges.publish(db, settings.public_url)
        return Opened(db, created)
    except DatabaseLocked as error:
        raise StartupProblem(
            "The database is in use by another program",
            f"{error.path} is locked by {error.holder}. DuckDB lets one program at a time write to it.",
            "Close that program (for example a DuckDB shell or a second copy of the app) and reload this page, "
            "or point ILMA_DB at another database file.",
        ) from error
    except SchemaTooNew as error:
        raise StartupProblem(
            "The database was written by a newer version of the app",
            f"{settings.db_path} has schema version {error.found}; this version of the app knows up to "
            f"{error.known}. Nothing has been changed.",
            "Run the newer version of the app, or point ILMA_DB at a database this version created.",
        ) from error
    except duckdb.IOException as error:
        raise StartupProblem(
            "The database file cannot be opened",
            f"{settings.db_path}: {error}",
            "Check that the file is a DuckDB database and that the disk is not full, or point ILMA_DB elsewhere.",
        ) from error


def _open_postgres(settings: Settings, demo_submissions: int) -> Opened:
    """The scale-out database: migrated (one replica at a time), and given the demo when it holds no installation."""
    import psycopg

    from lib.store.postgres import first_start_lock
    from lib.store.transfer import copy_database, holds_installation

    store = _file_store(settings)
    try:
        db = Database.open_url(settings.database_url)
        try:
            with first_start_lock(db):
                migrate_database(db)
                created = False
                if not holds_installation(db):
                    with tempfile.TemporaryDirectory(prefix="ilma-demo-") as folder:
                        built = Path(folder) / "demo.duckdb"
                        demo.build(built, demo_submissions, store=store)
                        source = Database.open(built)
                        try:
                            copy_database(source, db)
                        finally:
                            source.close()
                    created = True
        except BaseException:
            db.close()
            raise
        open_badges.publish(db, settings.public_url)
        return Opened(db, created)
    except SchemaTooNew as error:
        raise StartupProblem(
            "The database was written by a newer version of the app",
            f"The database at ILMA_DATABASE_URL has schema version {error.found}; this version of the app knows up "
            f"to {error.known}. Nothing has been changed.",
            "Run the newer version of the app, or point ILMA_DATABASE_URL at a database this version created.",
        ) from error
    except psycopg.OperationalError as error:
        raise StartupProblem(
            "The PostgreSQL database cannot be reached",
            f"{_without_password(settings.database_url)}: {str(error).strip().splitlines()[0]}",
            "Check that the server runs and the URL's host, port, database name, user and password are right "
            "(ILMA_DATABASE_URL=postgresql://user:password@host:5432/database), or unset ILMA_DATABASE_URL for the "
            "embedded database.",
        ) from error


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def read_secrets(paths: tuple[Path, ...]) -> dict | None:
    """The secrets files that exist, merged (the first named wins); None when there are none."""
    found: dict = {}
    existing = [path for path in paths if path.is_file()]
    for path in reversed(existing):
        try:
            found.update(tomllib.loads(path.read_text()))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
            raise StartupProblem(
                "The secrets file cannot be read",
                f"{path}: {error}",
                "Fix the file (it must be TOML, with the cookie key under [auth] as cookie_key = \"…\") "
                "or remove it to let the app generate and keep its own key.",
            ) from error
    return found if existing else None


def resolve_cookie_key(settings: Settings, secrets_found: Mapping | None) -> str:
    """The key that signs session cookies: environment, then secrets.toml, then a generated, kept key.

    secrets_found is None when there is no secrets file; a file that exists must name the key.
    """
    if settings.cookie_key_from_env:
        return _strong(settings.cookie_key_from_env, "the ILMA_COOKIE_KEY environment variable")
    if secrets_found is not None:
        auth = secrets_found.get("auth")
        key = auth.get("cookie_key") if isinstance(auth, Mapping) else None
        if not key:
            raise StartupProblem(
                "The secrets file has no cookie key",
                "A .streamlit/secrets.toml file exists but has no [auth] section with a cookie_key.",
                "Add a long random key to the file, for example one that "
                '`python -c "import secrets; print(secrets.token_urlsafe(48))"` prints:\n\n'
                '```toml\n[auth]\ncookie_key = "…"\n```\n\n'
                "or remove the file to let the app generate and keep its own key.",
            )
        return _strong(str(key), "the [auth] cookie_key in secrets.toml")
    return _generated_key(settings.cookie_key_file)


def estimated_entropy_bits(key: str) -> float:
    """A cautious estimate of a key's randomness: the lesser of its characters' Shannon entropy times its length
    and zxcvbn's estimate of the guesses it takes; nothing for a key that only repeats a shorter pattern."""
    if not key:
        return 0.0
    for period in range(1, len(key) // 2 + 1):
        if len(key) % period == 0 and key == key[:period] * (len(key) // period):
            return 0.0
    counts = Counter(key)
    per_character = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    # zxcvbn sees what Shannon's count cannot: runs (abc…xyz0…9), keyboard walks, words, dates.
    from zxcvbn import zxcvbn

    patterned = zxcvbn(key[:100])["guesses_log10"] * math.log2(10)
    return min(per_character * len(key), patterned)


def _strong(key: str, where: str) -> str:
    if key in KNOWN_WEAK_KEYS or len(key) < MIN_COOKIE_KEY_LENGTH:
        problem = f"The key in {where} is shorter than {MIN_COOKIE_KEY_LENGTH} characters or is a published example."
    elif estimated_entropy_bits(key) < MIN_COOKIE_KEY_BITS:
        problem = (f"The key in {where} is long enough but not random enough (about "
                   f"{estimated_entropy_bits(key):.0f} bits; at least {MIN_COOKIE_KEY_BITS} are needed): it repeats "
                   "characters or a pattern.")
    else:
        return key
    raise StartupProblem(
        "The cookie key is too weak",
        problem,
        "Replace it with a long random value: python -c \"import secrets; print(secrets.token_urlsafe(48))\".",
    )


def _generated_key(path: Path) -> str:
    if path.exists():
        return _strong(path.read_text().strip(), str(path))
    key = secrets.token_urlsafe(48)
    temporary = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        os.replace(temporary, path)
    except OSError as error:
        raise StartupProblem(
            "The cookie key cannot be kept",
            f"No key is configured and the app cannot write a generated one to {path} ({error.strerror}).",
            "Set ILMA_COOKIE_KEY, add [auth] cookie_key to .streamlit/secrets.toml, or make the folder writable.",
        ) from error
    return key
