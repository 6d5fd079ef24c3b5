"""Where the app keeps its data, read from the environment with embedded defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "ilma.duckdb"

# Settings that an assessment team would expect to tune, kept out of the code paths.
SLA_WORKING_DAYS = 25
QUALITY_CHECK_WORKING_DAYS = 5
# Sign-in throttling (lib/accounts/auth.py): free failures per username, then a delay that doubles up to a cap.
FREE_FAILED_SIGN_INS = 5
FIRST_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 60
SESSION_HOURS = 12
COOKIE_NAME = "ilma_session"


@dataclass(frozen=True)
class Settings:
    """Paths and secrets the running app needs."""

    db_path: Path
    files_dir: Path
    archive_dir: Path
    backups_dir: Path
    cookie_key_file: Path
    cookie_key_from_env: str | None
    secrets_files: tuple[Path, ...]
    # The address people reach the app at: published credentials are verified at URLs under it.
    public_url: str = "http://localhost:8501"
    # The scale-out configuration keeps files in an S3-compatible bucket (s3://bucket/prefix) instead of files_dir.
    files_url: str | None = None
    s3_endpoint: str | None = None
    # ...and its rows in PostgreSQL (postgresql://…) instead of the DuckDB file at db_path.
    database_url: str | None = None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read ILMA_DB (or ILMA_DATABASE_URL=postgresql://…), ILMA_FILES (a folder, or s3://bucket/prefix with
    ILMA_S3_ENDPOINT), ILMA_ARCHIVE, ILMA_BACKUPS, ILMA_COOKIE_KEY, ILMA_SECRETS_FILE (defaults under data/) and
    ILMA_PUBLIC_URL."""
    env = os.environ if env is None else env
    db_path = Path(env.get("ILMA_DB") or DEFAULT_DB_PATH).expanduser().resolve()
    files = env.get("ILMA_FILES") or ""
    files_url = files if files.startswith("s3://") else None
    files_dir = Path(files if files and not files_url else db_path.parent / "files").expanduser().resolve()
    return Settings(
        db_path=db_path,
        files_dir=files_dir,
        archive_dir=Path(env.get("ILMA_ARCHIVE") or db_path.parent / "archive").expanduser().resolve(),
        backups_dir=Path(env.get("ILMA_BACKUPS") or db_path.parent / "backups").expanduser().resolve(),
        cookie_key_file=db_path.parent / ".cookie_key",
        cookie_key_from_env=env.get("ILMA_COOKIE_KEY") or None,
        secrets_files=(Path(env["ILMA_SECRETS_FILE"]),) if env.get("ILMA_SECRETS_FILE") else (
            PROJECT_ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"),
        public_url=(env.get("ILMA_PUBLIC_URL") or "http://localhost:8501").rstrip("/"),
        files_url=files_url,
        s3_endpoint=env.get("ILMA_S3_ENDPOINT") or None,
        database_url=env.get("ILMA_DATABASE_URL") or None,
    )


def jobs_mailbox(db_path: Path) -> Path:
    """Where commands leave job requests for the app that holds this database, and read its answers."""
    return db_path.with_name(db_path.name + ".jobs")
