"""Copied work found for the ILM side: evidence fingerprinted at upload, candidates found through the stored
samples (any centre), the exact shared passages computed for those only, and each match told apart by how the
two items are related; the learner's own other submission is shown as expected, never as a match to act on."""

from __future__ import annotations

from datetime import date

import pytest

from lib.centre import submitting, uploads
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.demo.essays import edited, original
from lib.errors import NotAllowed, NotFound
from lib.service.copied_work import OTHER_CENTRE, OWN_EARLIER, SAME_BATCH, SAME_CENTRE, copied_work, relation
from lib.store.files import FileStore
from tests import samples
from tests.conftest import files_beside, load_user
from tests.test_similarity import docx_bytes


def fresh_learners(db, centre, count: int) -> list[tuple[int, str]]:
    return db.query_all(
        """SELECT l.id, min(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
           JOIN qualification_units u ON u.qualification_code = r.qualification_code
           WHERE l.centre_id = ? AND r.expires_on > current_date
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id)
           GROUP BY l.id ORDER BY 1 LIMIT ?""", [centre.centre_id, count])


def upload(db, centre, learner_id: int, unit: str, data: bytes, extension: str = ".docx", send: bool = True) -> int:
    """An item of this evidence, submitted to ILM (or, not sent, left in Pending)."""
    [item] = uploads.upload_units(db, FileStore(files_beside(db)), centre, [UnitUpload(
        learner_id, unit, (Upload(samples.learner_file_name(db, learner_id, extension=extension), data),),
        Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
    if send:
        submitting.submit(db, centre, [item], quality_confirmed=True)
    return item


@pytest.fixture
def three_items(db):
    """An original, a learner's edited copy of it and a text written apart on the same topic, by three learners
    of the demo centre."""
    centre = load_user(db, "centre.demo")
    (first, unit_a), (second, unit_b), (third, unit_c) = fresh_learners(db, centre, 3)
    source = original(7)
    return (upload(db, centre, first, unit_a, docx_bytes(source)),
            upload(db, centre, second, unit_b, docx_bytes(edited(source, 7, 0.15))),
            upload(db, centre, third, unit_c, docx_bytes(original(70_007))))


def test_an_edited_copy_is_found_with_its_passages_and_the_text_written_apart_is_not(db, three_items):
    first, copy, apart = three_items
    team = load_user(db, "team.demo")
    store = FileStore(files_beside(db))
    found = copied_work(db, team, copy, store)
    assert [match.other_item for match in found.matches] == [first]
    [match] = found.matches
    assert match.share >= 0.35 and match.relation == SAME_CENTRE and match.to_act_on
    assert match.shared.passages and all(len(passage.split()) >= 8 for passage in match.shared.passages)
    learner = db.query_one("SELECT l.first_name || ' ' || l.last_name FROM submissions s JOIN learners l "
                           "ON l.id = s.learner_id WHERE s.id = ?", [first])[0]
    assert match.summary().startswith(f"Shares {match.share:.0%} of its text with item {first} ({learner}, ")
    assert f"submitted {date.today():%d/%m/%Y}): at the same centre" in match.summary()
    assert [m.other_item for m in copied_work(db, team, first, store).matches] == [copy]
    assert copied_work(db, team, apart, store).matches == ()


def test_the_threshold_is_a_setting(db, three_items):
    _, copy, _ = three_items
    team = load_user(db, "team.demo")
    db.query_one("UPDATE settings SET value = '95' WHERE key = 'copied_work_percent' RETURNING key")
    found = copied_work(db, team, copy, FileStore(files_beside(db)))
    assert found.matches == () and found.threshold == 0.95


def test_the_learners_own_other_submission_is_told_apart_and_listed_after_the_matches_to_act_on(db):
    centre = load_user(db, "centre.demo")
    (learner, unit), (other, other_unit) = fresh_learners(db, centre, 2)
    second_unit = db.query_one(
        """SELECT min(u.unit_code) FROM registrations r JOIN qualification_units u
           ON u.qualification_code = r.qualification_code WHERE r.learner_id = ? AND u.unit_code <> ?""",
        [learner, unit])[0]
    source = original(21)
    own_first = upload(db, centre, learner, unit, docx_bytes(source))
    own_second = upload(db, centre, learner, second_unit, docx_bytes(source[:6] + original(22, paragraphs=2)))
    someone_else = upload(db, centre, other, other_unit, docx_bytes(edited(source, 3, 0.1)))
    found = copied_work(db, load_user(db, "team.demo"), own_second, FileStore(files_beside(db)))
    assert [(m.other_item, m.relation, m.to_act_on) for m in found.matches] == [
        (someone_else, SAME_CENTRE, True), (own_first, OWN_EARLIER, False)]
    assert found.to_act_on == found.matches[:1]
    assert "expected to share text" in found.matches[1].summary()


def test_files_that_are_not_compared_say_so(db):
    centre = load_user(db, "centre.demo")
    [(learner, unit)] = fresh_learners(db, centre, 1)
    item = upload(db, centre, learner, unit, samples.legacy_doc(), extension=".doc")
    found = copied_work(db, load_user(db, "team.demo"), item, FileStore(files_beside(db)))
    assert found.matches == ()
    assert found.not_compared == (f"{samples.learner_file_name(db, learner, extension='.doc')} is Word 97-2003 "
                                  "(.doc): it is not compared for copying.",)


def test_only_the_ilm_side_looks_and_an_assessor_only_at_their_own_items(db, three_items):
    _, copy, _ = three_items
    store = FileStore(files_beside(db))
    with pytest.raises(NotAllowed):
        copied_work(db, load_user(db, "centre.demo"), copy, store)
    with pytest.raises(NotFound):
        copied_work(db, load_user(db, "assessor.demo"), copy, store)


def test_how_two_items_are_related():
    # (learner, batch, centre)
    assert relation((1, 5, 9), (1, 6, 8)) == OWN_EARLIER
    assert relation((1, 5, 9), (2, 5, 9)) == SAME_BATCH
    assert relation((1, None, 9), (2, None, 9)) == SAME_CENTRE
    assert relation((1, 5, 9), (2, 7, 8)) == OTHER_CENTRE


def test_an_item_still_in_pending_is_no_match_until_it_is_sent_and_its_removal_takes_its_fingerprint(db, three_items):
    """Pending work is the centre's draft: ILM does not see it as the other side of a match until it is sent."""
    first, _, _ = three_items
    centre, team = load_user(db, "centre.demo"), load_user(db, "team.demo")
    store = FileStore(files_beside(db))
    [(learner, unit)] = fresh_learners(db, centre, 1)
    draft = upload(db, centre, learner, unit, docx_bytes(edited(original(7), 8, 0.1)), send=False)
    assert draft not in [match.other_item for match in copied_work(db, team, first, store).matches]
    submitting.submit(db, centre, [draft], quality_confirmed=True)
    assert draft in [match.other_item for match in copied_work(db, team, first, store).matches]

    [(learner, unit)] = fresh_learners(db, centre, 1)
    removed = upload(db, centre, learner, unit, docx_bytes(original(7)), send=False)
    uploads.remove_pending(db, store, centre, [removed])
    assert db.query_one("SELECT count(*) FROM evidence_fingerprints fp LEFT JOIN files f ON f.id = fp.file_id "
                        "WHERE f.id IS NULL")[0] == 0


def test_three_learners_sharing_one_passage_are_one_cluster_and_a_learners_own_work_is_none(db):
    from datetime import date, timedelta

    from lib.analytics.copied_clusters import shared_text_clusters

    centre = load_user(db, "centre.demo")
    (a, unit_a), (b, unit_b), (c, unit_c), (d, unit_d) = fresh_learners(db, centre, 4)
    passage = original(31, paragraphs=3)
    items = [upload(db, centre, a, unit_a, docx_bytes(passage + original(32, paragraphs=3))),
             upload(db, centre, b, unit_b, docx_bytes(original(33, paragraphs=3) + edited(passage, 5, 0.1, heading=None))),
             upload(db, centre, c, unit_c, docx_bytes(edited(passage, 6, 0.1) + original(34, paragraphs=2))),
             upload(db, centre, d, unit_d, docx_bytes(original(35)))]
    today = date.today()
    quality = load_user(db, "quality.demo")
    store = FileStore(files_beside(db))
    clusters = shared_text_clusters(db, quality, store, today - timedelta(days=1), today)
    mine = clusters[clusters.Item.isin(items)]
    assert set(mine.Item) == set(items[:3]) and mine.Cluster.nunique() == 1
    assert set(mine["Learners in cluster"]) == {3}
    assert (mine["Share %"] >= 25).all() and all(len(p.split()) >= 8 for p in mine["Longest shared passage"])
    assert set(mine.Month) == {today.strftime("%b %Y")}
    assert shared_text_clusters(db, quality, store, today - timedelta(days=400), today - timedelta(days=300)).empty
    with pytest.raises(NotAllowed):
        shared_text_clusters(db, load_user(db, "assessor.demo"), store, today, today)


def test_a_pdf_copy_of_word_evidence_is_found(db):
    centre = load_user(db, "centre.demo")
    (first, unit_a), (second, unit_b) = fresh_learners(db, centre, 2)
    source = original(41)
    word = upload(db, centre, first, unit_a, docx_bytes(source))
    pdf = upload(db, centre, second, unit_b, samples.text_pdf(edited(source, 41, 0.12)), extension=".pdf")
    found = copied_work(db, load_user(db, "team.demo"), pdf, FileStore(files_beside(db)))
    assert [(m.other_item, m.share >= 0.35) for m in found.matches] == [(word, True)]
