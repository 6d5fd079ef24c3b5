"""Evidence that shares text with other items' evidence: candidates from the stored fingerprints (any centre, any
item still kept), then the exact shared passages of those candidates only, read within the upload checks' budget.

Nothing is decided here: the matches are shown to the people who check and mark the work, told apart by how the
two items are related, a learner's own earlier submission (which a re-submission is expected to share) among them."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from lib.checks.sandbox import run_text_extract
from lib.errors import NotFound
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, LEAD_ASSESSOR, QUALITY, User
from lib.rules.similarity import SharedText, Words, estimated_share, shared_text, words_of
from lib.rules.text import NOTE_MAX
from lib.service.settings import setting
from lib.store import fingerprints
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import reads_centre_data, require_role, submission_scope

ILM_SIDE = (ASSESSMENT_TEAM, ASSESSOR, LEAD_ASSESSOR, QUALITY)
OWN_EARLIER = "own"
SAME_BATCH = "batch"
SAME_CENTRE = "centre"
OTHER_CENTRE = "other centre"
RELATIONS = {
    OWN_EARLIER: "the learner's own other submission: expected to share text, not a match to act on",
    SAME_BATCH: "in the same batch",
    SAME_CENTRE: "at the same centre",
    OTHER_CENTRE: "at another centre",
}
MOST_COMPARED = 20  # candidates compared exactly, most shared samples first
# Sampling keeps about one run in SAMPLE_EVERY, so a candidate's estimate is loose: compare exactly anything whose
# estimate reaches half the threshold.
ESTIMATE_MARGIN = 0.5
FEWEST_SHARED_SAMPLES = 2


@dataclass(frozen=True)
class Match:
    file_id: int
    file_name: str
    other_file_id: int
    other_file_name: str
    other_item: int
    learner: str
    centre: str
    submitted: datetime | None
    relation: str
    shared: SharedText
    words: Words  # both texts, to show them side by side with the passages marked
    other_words: Words

    @property
    def share(self) -> float:
        return self.shared.share

    @property
    def to_act_on(self) -> bool:
        return self.relation != OWN_EARLIER

    def summary(self) -> str:
        """'Shares 38% of its text with item 5123 (Learner, centre 100234 Name, submitted 12/03/2026)'."""
        return (f"Shares {self.share:.0%} of its text with item {self.other_item} ({self.learner}, {self.centre}, "
                f"submitted {self.submitted:%d/%m/%Y}): {RELATIONS[self.relation]}")


    def concern(self, item_id: int, limit: int = NOTE_MAX) -> str:
        """What quality reads when a case is opened from this match: both items, the share and the passages (as
        many as fit the limit of a concern)."""
        head = (f"Item {item_id}'s evidence ({self.file_name}) shares {self.share:.0%} of its text with item "
                f"{self.other_item}'s ({self.other_file_name}; {self.learner}, {self.centre}), "
                f"{RELATIONS[self.relation]}. Shared passages:")
        lines = [head]
        for passage in self.shared.passages:
            line = f"“{passage}”"
            if len("\n".join([*lines, line])) > limit:
                room = limit - len("\n".join(lines)) - 1  # after the line break
                if room > 40:
                    lines.append(line[:room - 2] + "…”")
                break
            lines.append(line)
        return "\n".join(lines)


@dataclass(frozen=True)
class CopiedWork:
    matches: tuple[Match, ...]
    not_compared: tuple[str, ...]  # a sentence for each file of the item that has no fingerprint
    threshold: float

    @property
    def to_act_on(self) -> tuple[Match, ...]:
        return tuple(match for match in self.matches if match.to_act_on)


def threshold(db: Database) -> float:
    """The share of text from which evidence is shown as a match (the setting copied_work_percent)."""
    try:
        return setting(db, "copied_work_percent") / 100
    except KeyError:
        return 0.25


class _Unreadable(Exception):
    pass


@lru_cache(maxsize=64)
def _read_words(store: FileStore, stored_name: str, original_name: str) -> Words:
    suffix = Path(original_name).suffix.lower()
    handle, temporary = tempfile.mkstemp(prefix="ilma-compare-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(store.read(stored_name))
        found = run_text_extract(Path(temporary), suffix)
    finally:
        os.unlink(temporary)
    if found.reason:
        raise _Unreadable(found.reason)  # not remembered: a read that ran out of time under load may pass next time
    return words_of(found.paragraphs)


def stored_words(store: FileStore, stored_name: str, original_name: str) -> Words | None:
    """A stored file's words (remembered by stored name: its bytes never change), or None when its text cannot be
    read."""
    try:
        return _read_words(store, stored_name, original_name)
    except _Unreadable:
        return None


def relation(mine: tuple, theirs: tuple) -> str:
    learner, batch, centre = mine
    other_learner, other_batch, other_centre = theirs
    if learner == other_learner:
        return OWN_EARLIER
    if batch is not None and batch == other_batch:
        return SAME_BATCH
    return SAME_CENTRE if centre == other_centre else OTHER_CENTRE


_FILE_DETAILS = """SELECT f.id, f.original_name, f.stored_name, s.id, s.learner_id, s.batch_id, s.centre_id,
                          l.first_name || ' ' || l.last_name, c.number || ' ' || c.name, s.submitted_at
                   FROM files f JOIN submissions s ON s.id = f.submission_id JOIN learners l ON l.id = s.learner_id
                   JOIN centres c ON c.id = s.centre_id
                   WHERE list_contains(?, f.id)"""


@reads_centre_data(probes={"item_id": "submission"})
def copied_work(db: Database, user: User, item_id: int, store: FileStore) -> CopiedWork:
    """The item's evidence matches with other items' evidence at or above the threshold, most shared first (the
    learner's own other submissions after the rest), and the item's files that are not compared, saying why."""
    require_role(user, ILM_SIDE, "Copied work is looked for by the ILM side, at quality check, marking and sampling.")
    scope_sql, params = submission_scope(user)
    if db.query_one(f"SELECT 1 FROM submissions s WHERE s.id = ? AND {scope_sql}", [item_id, *params]) is None:
        raise NotFound(f"There is no item {item_id} that you may open.")
    limit = threshold(db)
    not_compared = tuple(f"{name}: {why}" if name not in why else why
                         for name, why in fingerprints.not_compared(db, item_id))
    candidates = [row for row in fingerprints.sharing_samples(db, item_id, FEWEST_SHARED_SAMPLES)
                  if estimated_share(row[2], row[3], row[4]) >= limit * ESTIMATE_MARGIN][:MOST_COMPARED]
    if not candidates:
        return CopiedWork((), not_compared, limit)
    details = {row[0]: row for row in db.query_all(
        _FILE_DETAILS, [sorted({row[0] for row in candidates} | {row[1] for row in candidates})])}
    found = []
    for file_id, other_id, *_ in candidates:
        mine, theirs = details.get(file_id), details.get(other_id)
        if mine is None or theirs is None:
            continue
        first, second = stored_words(store, mine[2], mine[1]), stored_words(store, theirs[2], theirs[1])
        if first is None or second is None:
            continue
        shared = shared_text(first, second)
        if shared.share >= limit:
            found.append(Match(file_id, mine[1], other_id, theirs[1], theirs[3], theirs[7], theirs[8], theirs[9],
                               relation(mine[4:7], theirs[4:7]), shared, first, second))
    found.sort(key=lambda match: (not match.to_act_on, -match.share, match.other_item))
    return CopiedWork(tuple(found), not_compared, limit)
