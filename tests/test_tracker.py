from lib.centre.tracker import tracker_page
from lib.rules import workdays
from lib.rules.holds import UNDER_REVIEW
from lib.store.grid import ONE_OF, ColumnFilter, Condition, GridQuery
from tests.conftest import load_user


def test_newest_first_one_page_at_a_time(db):
    user = load_user(db, "centre.demo")
    first = tracker_page(db, user, GridQuery(offset=0, limit=10))
    second = tracker_page(db, user, GridQuery(offset=10, limit=10))
    expected = db.query_one("SELECT count(*) FROM submissions WHERE centre_id = ? AND stage <> 'pending'",
                            [user.centre_id])[0]
    assert first.total == second.total == expected
    ids = list(first.rows["ID"]) + list(second.rows["ID"])
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 20


def test_pending_items_are_not_on_the_tracker(db):
    user = load_user(db, "centre.demo")
    page = tracker_page(db, user, limit=10_000)
    assert "Pending" not in set(page.rows["Status"])


def test_sla_target_is_blank_when_rejected_and_the_release_date_once_released(db):
    page = tracker_page(db, load_user(db, "team.demo"), limit=10_000)
    rows = page.rows
    assert rows[rows.Status == "Rejected"]["SLA Target"].isna().all()
    released = rows[rows.Status.isin(["Completed", "Referred"])]
    release_dates = dict(db.query_all("SELECT id, released_at::DATE FROM submissions WHERE stage = 'released'"))
    assert all(release_dates[i] == d.date() for i, d in zip(released.ID, released["SLA Target"]))
    submitted = rows[rows.Status == "Submitted"].head(20)
    assert all(workdays.sla_target(d.date()) == t.date() for d, t in zip(submitted.Submitted, submitted["SLA Target"]))


def test_rejected_rows_carry_their_reason(db):
    rows = tracker_page(db, load_user(db, "team.demo"), limit=10_000).rows
    rejected = rows[rows.Status == "Rejected"]
    assert len(rejected) and rejected["Rejection reason"].notna().all()
    others = rows[rows.Status != "Rejected"]["Rejection reason"]
    assert set(others.dropna()) <= {UNDER_REVIEW}  # an item held under a malpractice case says only that


def test_marks_and_results_appear_only_once_released(db):
    rows = tracker_page(db, load_user(db, "team.demo"), limit=10_000).rows
    unreleased = rows[~rows.Status.isin(["Completed", "Referred"])]
    assert unreleased.Result.isna().all() and unreleased.Mark.isna().all()


def test_released_result_sheets_download_only_once_released_and_only_for_the_centre(db, db_path):
    from lib.centre.tracker import released_result_sheets
    from lib.store.files import FileStore

    store = FileStore(db_path.parent / "files")  # the demo's marked sheets of the demo centre's latest releases
    centre = load_user(db, "centre.demo")
    ids = [r[0] for r in db.query_all("""SELECT DISTINCT f.submission_id FROM files f JOIN submissions s
                                         ON s.id = f.submission_id WHERE f.kind = 'marked_result_sheet'
                                         AND f.removed_at IS NULL AND s.stage = 'released' AND s.centre_id = ?""",
                                      [centre.centre_id])]
    written = db.query_one("""SELECT count(*) FROM files WHERE kind = 'marked_result_sheet' AND removed_at IS NULL
                              AND list_contains(?, submission_id)""", [ids])[0]
    assert written >= 3
    sheets = released_result_sheets(db, centre, ids, store)
    assert len(sheets) == written and all(data[:2] == b"PK" and name.endswith(".docx") for name, data in sheets)
    assert released_result_sheets(db, load_user(db, "harbourside.demo"), ids, store) == []
    db.query_one("UPDATE submissions SET stage = 'ready', released_at = NULL, result = NULL, mark = NULL "
                 "WHERE id = ?", [ids[0]])
    assert len(released_result_sheets(db, centre, ids, store)) < written


def test_each_page_says_re_submitted_and_under_review_exactly_as_the_whole_list_does(db):
    """The page fetch looks these up for its ten keys only; the export computes them over every row."""
    from lib.centre.tracker import columns_for, tracker_source
    from lib.store import grid

    team = load_user(db, "team.demo")
    held = db.query_one("SELECT id FROM submissions WHERE stage NOT IN ('pending', 'rejected') ORDER BY id LIMIT 1")[0]
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO malpractice_cases (id, submission_id, raised_in, concern, status, opened_at, "
                       "opened_by, updated_at) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM malpractice_cases), ?, "
                       "'marking', 'Shared passages', 'open', now(), 1, now())", [held])
    columns = columns_for(team)
    labels = [c.label for c in columns.columns if c.shown]
    whole = {row[0]: row for row in grid.iterate(db, tracker_source(team), columns, GridQuery())}
    resubmitted = {row[0] for row in db.query_all("SELECT resubmits_id FROM submissions WHERE resubmits_id IS NOT NULL")}
    assert resubmitted and held in whole
    seen = set()
    for offset in range(0, len(whole), 50):
        page = tracker_page(db, team, GridQuery(offset=offset, limit=50)).rows
        for record in page.itertuples(index=False):
            expected = whole[record.ID]
            assert record[labels.index("Re-submitted")] == expected[labels.index("Re-submitted")]
            reason = record[labels.index("Rejection reason")]
            assert (reason if isinstance(reason, str) else None) == expected[labels.index("Rejection reason")]
            seen.add(record.ID)
    assert seen == set(whole)
    assert {i for i in seen if whole[i][labels.index("Re-submitted")] == "Yes"} == resubmitted & seen


def test_the_tracker_opens_on_just_the_items_named_and_never_another_centres(db):
    centre = load_user(db, "centre.demo")
    own = tracker_page(db, centre, GridQuery((), None, 0, 3)).rows.ID.tolist()
    other = db.query_one("SELECT max(s.id) FROM submissions s JOIN centres c ON c.id = s.centre_id "
                         "WHERE c.number = '023456' AND s.stage <> 'pending'")[0]
    named = (*own, int(other))
    page = tracker_page(db, centre, GridQuery((ColumnFilter("ID", Condition(ONE_OF, named)),), None, 0, 10))
    assert sorted(page.rows.ID) == sorted(own) and page.total == len(own)


def test_tracker_rows_are_coloured_by_status_and_the_result_keeps_its_own_colour():
    import pandas as pd

    from lib.ui.tracker_table import RESULT_COLOURS, ROW_COLOURS, _styles

    shown = pd.DataFrame({"ID": [1, 2, 3, 4], "Status": ["Submitted", "Rejected", "Referred", "Completed"],
                          "Result": ["", "", "Referral", "Pass"]})
    styles = _styles(shown)
    assert styles.loc[0].tolist() == [ROW_COLOURS["Submitted"]] * 3
    assert styles.loc[1, "ID"] == ROW_COLOURS["Rejected"]
    assert styles.loc[2, "ID"] == ROW_COLOURS["Referred"]
    assert styles.loc[2, "Result"] == f"{ROW_COLOURS['Referred']}; {RESULT_COLOURS['Referral']}"
    assert styles.loc[3].tolist() == ["", "", RESULT_COLOURS["Pass"]]  # a completed row is not coloured
    html = shown.style.apply(_styles, axis=None).to_html()
    assert "background-color: #fef3c7" in html and "color: #166534" in html
