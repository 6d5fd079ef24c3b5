"""The file store: uploaded files under generated names, written to a temporary name and renamed into place.

What may be uploaded is decided in lib/checks.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EVIDENCE, RESULT_SHEET, MARKED_RESULT_SHEET, DECLARATION = "evidence", "result_sheet", "marked_result_sheet", "declaration"


def write_atomically(path: Path, data: bytes, temporary: Path | None = None) -> None:
    """Write to a temporary name beside path, flush to disk, then rename into place: a reader sees the old file or
    the whole new one, never part of it."""
    temporary = temporary or path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class FileStore:
    """Files under generated names in a folder outside anything the web server serves."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, stored_name: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{40}", stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return self.root / stored_name

    def put(self, data: bytes) -> str:
        """Write to a temporary name, flush to disk, then rename into place; return the stored name."""
        token = secrets.token_hex(20)
        stored_name = f"{token[:2]}/{token}"
        final = self.path(stored_name)
        final.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(final, data, final.with_name(f".{token}.part"))
        return stored_name

    def put_named(self, stored_name: str, data: bytes) -> None:
        """Write a file under a name given (moving a store keeps the names its rows point to)."""
        final = self.path(stored_name)
        final.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(final, data)

    def read(self, stored_name: str) -> bytes:
        return self.path(stored_name).read_bytes()

    def discard(self, stored_names: list[str]) -> None:
        """Remove files whose rows never committed, so a failed upload leaves nothing behind."""
        for path in remove_later_if_paused([self.path(stored_name) for stored_name in stored_names]):
            path.unlink(missing_ok=True)


_deletions = threading.Lock()
_paused = 0
_deferred: list[Path] = []


@contextmanager
def deletions_paused() -> Iterator[None]:
    """Hold back removals from every file store of this process while a backup links the files its snapshot
    points to; what was discarded meanwhile is removed afterwards. Nobody waits for it."""
    global _paused
    with _deletions:
        _paused += 1
    try:
        yield
    finally:
        with _deletions:
            _paused -= 1
            due = list(_deferred) if _paused == 0 else []
            if _paused == 0:
                _deferred.clear()
        for path in due:
            path.unlink(missing_ok=True)


def remove_later_if_paused(paths: list[Path]) -> list[Path]:
    """The paths to remove now; while deletions are paused, none (they are kept for afterwards)."""
    with _deletions:
        if _paused:
            _deferred.extend(paths)
            return []
    return paths
