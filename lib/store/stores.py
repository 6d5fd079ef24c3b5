"""The file store the settings name: a folder (the embedded default) or a bucket (the scale-out configuration)."""

from __future__ import annotations

from lib.config import Settings
from lib.store.files import FileStore
from lib.store.objects import ObjectStore


def open_file_store(settings: Settings) -> FileStore | ObjectStore:
    if settings.files_url:
        return ObjectStore.connect(settings.files_url, settings.s3_endpoint)
    return FileStore(settings.files_dir)
