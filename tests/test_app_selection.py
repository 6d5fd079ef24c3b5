"""Ticks belong to records: they follow their record across paging and filtering, never land on another
record, are cleared after an action, and no page raises on a selection."""

from __future__ import annotations

from tests.apptest_helpers import open_page, table_widget_key, texts, tick


def shown(at, column: str) -> list:
    return [frame.value for frame in at.dataframe if column in frame.value.columns][0][column].tolist()


def headers(at) -> list[str]:
    return [m.value for m in at.markdown if "Learner Name" in m.value]


def rows(at) -> list[tuple]:
    return list(zip(shown(at, "Learner"), shown(at, "Unit")))


def chosen_in_upload_screen(at) -> list[str]:
    return [header.replace("\\", "") for header in headers(at)]


def test_a_tick_on_page_one_stays_with_its_record_on_page_two(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    first_page = rows(at)
    tick(at, "units_table", [0])
    at.button(key="units_next").click().run()
    second_page = rows(at)
    assert second_page != first_page
    assert "1 ticked item(s) not on this page are still ticked." in texts(at)
    assert at.session_state[table_widget_key(at, "units_table")]["selection"]["rows"] == []
    tick(at, "units_table", [2])
    at.button(key="units_upload").click().run()
    chosen = chosen_in_upload_screen(at)
    assert len(chosen) == 2
    for (learner, unit), header in zip([first_page[0], second_page[2]], chosen):
        assert f"Learner Name : {learner}," in header and f"Unit : {unit} -" in header


def test_a_tick_hidden_by_a_filter_is_kept_and_acted_on(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    learner, unit = rows(at)[0]
    enr = shown(at, "ENR")[0]
    tick(at, "units_table", [0])
    at.selectbox(key="units_filter_column").select("ENR").run()
    other = next(e for e in shown(at, "ENR") if e[:5] != enr[:5])
    at.text_input(key="units_filter_value1_ENR").input(other[:5]).run()
    at.button(key="units_filter_apply").click().run()
    assert not at.exception and enr not in shown(at, "ENR")
    assert "1 ticked item(s) not on this page are still ticked." in texts(at)
    at.button(key="units_upload").click().run()
    [header] = chosen_in_upload_screen(at)
    assert f"Learner Name : {learner}," in header and f"Unit : {unit} -" in header


def test_clear_ticks_unticks_what_is_not_shown(centre_app):
    at = open_page(centre_app, "pages/centre/unit_assessment_page.py")
    tick(at, "units_table", [0, 1])
    at.button(key="units_next").click().run()
    at.button(key="units_table_clear_ticks").click().run()
    assert "still ticked" not in texts(at)
    assert at.button(key="units_upload").disabled


def test_the_tracker_acts_on_the_ticked_record_after_the_list_changes(centre_app):
    at = open_page(centre_app, "pages/centre/tracker_page.py")
    ids = shown(at, "ID")
    tick(at, "tracker_table", [len(ids) - 1])  # the last row of the page
    at.button(key="tracker_next").click().run()
    assert not at.exception
    assert "1 ticked item(s) not on this page are still ticked." in texts(at)
    at.button(key="tracker_previous").click().run()
    rows = at.session_state[table_widget_key(at, "tracker_table")]["selection"]["rows"]
    assert [shown(at, "ID")[r] for r in rows] == [ids[-1]], "the tick is drawn on its own record again"


def test_acting_on_the_last_row_of_a_queue_leaves_nothing_ticked(as_role):
    at = as_role("team.demo", "pages/service/quality_check_page.py")
    ids = shown(at, "ID")
    tick(at, "qc_table", [len(ids) - 1])
    assert f"Item {ids[-1]}" in texts(at)
    at.button(key="qc_accept").click().run()
    assert not at.exception
    assert f"Accepted item {ids[-1]}" in texts(at)
    assert at.session_state[table_widget_key(at, "qc_table")]["selection"]["rows"] == []
    assert not [b for b in at.button if b.key == "qc_accept"], "no action is offered until a record is ticked"
