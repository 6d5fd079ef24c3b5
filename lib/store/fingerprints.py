"""Stored evidence fingerprints (lib.rules.similarity.fingerprint) and the evidence that shares their samples."""

from __future__ import annotations

from lib.store.db import Database, Writer


def store_fingerprint(writer: Writer, file_id: int, samples: tuple[int, ...] | None,
                      not_compared: str | None) -> None:
    """Keep a piece of evidence's samples (in the transaction that stores the file), or why it has none."""
    writer.execute("INSERT INTO evidence_fingerprints (file_id, samples, not_compared) VALUES (?, ?, ?)",
                   [file_id, len(samples or ()), None if samples else (not_compared or "It has no text to compare.")])
    if samples:
        writer.execute("INSERT INTO evidence_samples (sample, file_id) SELECT unnest(CAST(? AS BIGINT[])), ?",
                       [list(samples), file_id])


def sharing_samples(db: Database, item_id: int, min_shared: int) -> list[tuple[int, int, int, int, int]]:
    """For each of the item's evidence files, the other items' evidence sharing at least min_shared samples with
    it: (file, other file, shared samples, file's samples, other's samples), most shared first. An item still in
    Pending is never the other side: it is the centre's draft until sent, and may be removed unseen."""
    return db.query_all(
        """WITH mine AS (SELECT es.sample, es.file_id FROM evidence_samples es JOIN files f ON f.id = es.file_id
                         WHERE f.submission_id = ? AND f.kind = 'evidence' AND f.removed_at IS NULL),
                shared AS (SELECT m.file_id AS file_id, o.file_id AS other_id, count(*) AS shared
                           FROM mine m JOIN evidence_samples o ON o.sample = m.sample AND o.file_id <> m.file_id
                           GROUP BY m.file_id, o.file_id HAVING count(*) >= ?)
           SELECT sh.file_id, sh.other_id, sh.shared, fp.samples, ofp.samples
           FROM shared sh JOIN evidence_fingerprints fp ON fp.file_id = sh.file_id
           JOIN evidence_fingerprints ofp ON ofp.file_id = sh.other_id
           JOIN files o ON o.id = sh.other_id JOIN submissions os ON os.id = o.submission_id
           WHERE o.submission_id <> ? AND o.removed_at IS NULL AND os.stage <> 'pending'
           ORDER BY sh.shared DESC, sh.other_id""", [item_id, min_shared, item_id])


def not_compared(db: Database, item_id: int) -> list[tuple[str, str]]:
    """The item's evidence files that have no fingerprint: (file name, why)."""
    return db.query_all(
        """SELECT f.original_name, fp.not_compared FROM files f JOIN evidence_fingerprints fp ON fp.file_id = f.id
           WHERE f.submission_id = ? AND f.kind = 'evidence' AND f.removed_at IS NULL AND fp.not_compared IS NOT NULL
           ORDER BY f.id""", [item_id])
