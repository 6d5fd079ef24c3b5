"""Clusters of items whose evidence shares text, for quality: evidence submitted in a period, matched with every
other item's still kept (through the stored samples, then the exact passages for those candidates), learners
joined into a cluster when their evidence shares text at or above the threshold (three learners who all share
one passage are one cluster). A learner's own submissions are not a cluster: they are expected to share."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib.rules.roles import ASSESSMENT_TEAM, QUALITY, User
from lib.rules.similarity import estimated_share, shared_text
from lib.service.copied_work import ESTIMATE_MARGIN, FEWEST_SHARED_SAMPLES, stored_words, threshold
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import reads_centre_data, require_role

MOST_COMPARED = 400  # pairs compared exactly in one view, most shared samples first
COLUMNS = ["Cluster", "Learners in cluster", "Item", "Learner", "Centre", "Centre name", "Submitted", "Month",
           "Shares with item", "Its learner", "Its centre", "Share %", "Longest shared passage"]

PAIRS = """WITH chosen AS (
                SELECT f.id FROM files f JOIN submissions s ON s.id = f.submission_id
                WHERE f.kind = 'evidence' AND f.removed_at IS NULL AND s.stage <> 'pending'
                  AND s.submitted_at >= ? AND s.submitted_at < ?)
            SELECT a.file_id, b.file_id, count(*)
            FROM evidence_samples a JOIN evidence_samples b ON b.sample = a.sample AND b.file_id <> a.file_id
            WHERE a.file_id IN (SELECT id FROM chosen)
            GROUP BY a.file_id, b.file_id HAVING count(*) >= ?"""
_FILES = """SELECT f.id, f.stored_name, f.original_name, fp.samples, s.id, s.learner_id,
                   l.first_name || ' ' || l.last_name, c.number, c.name, s.submitted_at
            FROM files f JOIN evidence_fingerprints fp ON fp.file_id = f.id
            JOIN submissions s ON s.id = f.submission_id
            JOIN learners l ON l.id = s.learner_id JOIN centres c ON c.id = s.centre_id
            WHERE list_contains(?, f.id) AND f.removed_at IS NULL AND s.stage <> 'pending'"""


def _clusters(pairs: list[tuple[int, int]]) -> dict[int, int]:
    """Each learner's cluster (its smallest learner id), from the pairs of learners sharing text."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first, second in pairs:
        low, high = sorted((root(first), root(second)))
        parent[high] = low
    return {node: root(node) for node in parent}


@reads_centre_data()
def shared_text_clusters(db: Database, user: User, store: FileStore, start: date | None = None,
                         end: date | None = None) -> pd.DataFrame:
    """One row an item and an item it shares text with, for evidence submitted from start to end (inclusive; all
    of it when not given), grouped in clusters of learners: the biggest clusters first, then the most shared."""
    require_role(user, (QUALITY, ASSESSMENT_TEAM), "Clusters of shared text are for quality and the assessment team.")
    limit = threshold(db)
    found = db.query_all(PAIRS, [start or date(1900, 1, 1), (end or date(2999, 12, 31)) + timedelta(days=1),
                                  FEWEST_SHARED_SAMPLES])
    canonical = {tuple(sorted((first, second))): shared for first, second, shared in found}
    files = {row[0]: row for row in db.query_all(_FILES, [sorted({f for pair in canonical for f in pair})])} \
        if canonical else {}
    candidates = sorted(((shared, pair) for pair, shared in canonical.items()
                         if pair[0] in files and pair[1] in files
                         and files[pair[0]][5] != files[pair[1]][5]  # a learner's own submissions share by design
                         and estimated_share(shared, files[pair[0]][3], files[pair[1]][3]) >= limit * ESTIMATE_MARGIN),
                        reverse=True)[:MOST_COMPARED]
    matched = []
    for _, (first, second) in candidates:
        words = [stored_words(store, files[f][1], files[f][2]) for f in (first, second)]
        if None in words:
            continue
        shared = shared_text(*words)
        if shared.share >= limit:
            matched.append((files[first], files[second], shared))
    if not matched:
        return pd.DataFrame(columns=COLUMNS)
    cluster_of = _clusters([(a[5], b[5]) for a, b, _ in matched])
    sizes = pd.Series(cluster_of).value_counts()
    rows = []
    for a, b, shared in matched:
        passage = max(shared.passages, key=len, default="")
        for mine, theirs in ((a, b), (b, a)):
            rows.append({"cluster": cluster_of[mine[5]], "Item": mine[4], "Learner": mine[6], "Centre": mine[7],
                         "Centre name": mine[8], "Submitted": mine[9], "Shares with item": theirs[4],
                         "Its learner": theirs[6], "Its centre": f"{theirs[7]} {theirs[8]}",
                         "Share %": round(100 * shared.share, 1), "Longest shared passage": passage})
    frame = pd.DataFrame(rows)
    frame["Learners in cluster"] = frame.cluster.map(sizes)
    frame["Month"] = pd.to_datetime(frame.Submitted).dt.strftime("%b %Y")
    frame["Submitted"] = pd.to_datetime(frame.Submitted).dt.date
    frame = frame.sort_values(["Learners in cluster", "cluster", "Share %", "Item"], ascending=[False, True, False, True])
    numbers = {cluster: number for number, cluster in enumerate(frame.cluster.drop_duplicates(), start=1)}
    frame["Cluster"] = frame.cluster.map(numbers)
    return frame[COLUMNS].reset_index(drop=True)
