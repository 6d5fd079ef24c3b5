"""A download button for one stored file: with files in a bucket, a link that expires, signed after the permission
check, so the bytes go from the bucket to the browser and never through this process's /media; from a folder, the
bytes read when the button is pressed."""

from __future__ import annotations

from lib.centre.uploads import file_link, read_file
from lib.store.objects import ObjectStore

# Signed again on every run of the page; long enough for a page left open a while before the click.
PAGE_LINK_SECONDS = 900


def stored_file_button(where, db, user, file_id: int, file_name: str, store, key: str) -> None:
    if isinstance(store, ObjectStore):
        where.link_button("Download", file_link(db, user, file_id, store, PAGE_LINK_SECONDS),
                          icon=":material/download:", width="stretch",
                          help="The link works for 15 minutes; the page signs a new one each time it is drawn.")
        return
    where.download_button("Download", data=lambda: read_file(db, user, file_id, store)[1], file_name=file_name,
                          key=key, icon=":material/download:", on_click="ignore", width="stretch")
