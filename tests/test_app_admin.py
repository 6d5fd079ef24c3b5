"""The team's administration pages in AppTest: centres, accounts, the audit trail, and a one-time password
that opens only the Change password page until it is changed."""

from __future__ import annotations

from tests.apptest_helpers import new_app, page_names, sign_in, texts, tick


def test_the_team_approves_a_centre_and_its_qualification(as_role):
    at = as_role("team.demo", "pages/admin/centres_page.py")
    at.text_input(key="centre_new_number").input("078901")
    at.text_input(key="centre_new_name").input("Lakeside [Leadership](x.invalid) Institute")
    at.text_input(key="centre_new_contact").input("Priya Shah")
    at.text_input(key="centre_new_email").input("priya@lakeside.example")
    at.button(key="centre_new_submit").click().run()
    assert not at.exception and "Centre 078901" in texts(at)
    numbers = next(f.value for f in at.dataframe if "Approved for" in f.value.columns).Centre.tolist()
    tick(at, "centres_table", [numbers.index("078901")])
    assert "Lakeside \\[Leadership\\](x.invalid) Institute" in texts(at), "a centre's name is shown as text"
    at.checkbox(key="approval_078901_8600-31").check().run()
    at.button(key="approval_save_078901_8600-31").click().run()
    assert "078901: 8600-31 approved." in texts(at)
    at.text_input(key="centre_block_reason_078901").input("Invoice 99 unpaid")
    at.button(key="centre_block_078901").click().run()
    assert not at.exception and "its users' sessions have ended" in texts(at)


def test_the_team_creates_an_account_and_its_holder_must_change_the_password(as_role, monkeypatch):
    at = as_role("team.demo", "pages/admin/accounts_page.py")
    at.selectbox(key="account_new_role").select("assessor").run()
    at.text_input(key="account_new_username").input("new.assessor")
    at.text_input(key="account_new_name").input("Nia Hughes")
    at.text_input(key="account_new_email").input("nia@example.org")
    at.button(key="account_new_submit").click().run()
    assert not at.exception
    password = at.code[0].value
    assert "One-time password for new.assessor" in texts(at)
    holder = sign_in(new_app(), "new.assessor", password)
    assert page_names(holder) == ["Change password"]
    holder.text_input(key="password_current").input(password)
    holder.text_input(key="password_new").input("copper kettle orchard 7")
    holder.text_input(key="password_again").input("copper kettle orchard 7")
    holder.button(key="password_submit").click().run()
    assert not holder.exception
    assert "Home" in page_names(holder) and "My marking queue" in page_names(holder)


def test_the_audit_trail_lists_and_exports(as_role):
    at = as_role("quality.demo", "pages/admin/audit_page.py")
    assert not at.exception and at.title[0].value == "Audit trail"
    shown = next(f.value for f in at.dataframe if "Action" in f.value.columns)
    assert len(shown) == 10 and list(shown.ID) == sorted(shown.ID, reverse=True)


def test_the_team_edits_a_unit_s_word_count_guidance(as_role):
    at = as_role("team.demo", "pages/admin/reference_page.py")
    units = next(f.value for f in at.dataframe if "Word-count guidance" in f.value.columns)
    code = units.Code.iloc[0]
    at.selectbox(key="reference_unit_choice").select(code).run()
    at.number_input(key=f"reference_unit_words_{code}").set_value(3500)
    at.button(key=f"reference_unit_save_{code}").click().run()
    assert not at.exception and f"Unit {code} is saved." in texts(at)
    units = next(f.value for f in at.dataframe if "Word-count guidance" in f.value.columns)
    assert units.set_index("Code").loc[code, "Word-count guidance"] in ("3500", 3500)


def test_the_team_rewrites_a_unit_s_criteria_and_a_bad_line_is_refused_saying_which(as_role):
    at = as_role("team.demo", "pages/admin/reference_page.py")
    units = next(f.value for f in at.dataframe if "Criteria" in f.value.columns)
    assert "criteria_text" not in units.columns
    code = units.Code.iloc[0]
    at.selectbox(key="reference_unit_choice").select(code).run()
    box = at.text_area(key=f"reference_unit_criteria_{code}")
    assert box.value.startswith("1.1 ")  # the published criteria, to edit
    box.input(box.value + "\nno number here")
    at.button(key=f"reference_unit_save_{code}").click().run()
    assert "does not start with its number" in " ".join(e.value for e in at.error)
    at.text_area(key=f"reference_unit_criteria_{code}").input("1.1 Explain *why* the change\n1.2 Plan it")
    at.button(key=f"reference_unit_save_{code}").click().run()
    assert not at.exception and f"Unit {code} is saved." in texts(at)
    units = next(f.value for f in at.dataframe if "Criteria" in f.value.columns)
    assert units.set_index("Code").loc[code, "Criteria"] in ("2", 2)


def test_an_assessor_s_account_shows_their_conflicts_of_interest(as_role):
    at = as_role("team.demo", "pages/admin/accounts_page.py")
    listed = next(f.value for f in at.dataframe if "Username" in f.value.columns)
    tick(at, "accounts_table", [list(listed.Username).index("assessor.demo")])
    assert not at.exception and "Conflicts of interest:" in texts(at)


def test_the_team_reads_an_item_s_history_from_submissions(as_role):
    at = as_role("team.demo", "pages/centre/tracker_page.py")
    tick(at, "tracker_table", [0])
    assert not at.exception
    frames = [f.value for f in at.dataframe if "Action" in f.value.columns]
    assert frames, "the ticked item's history is shown"


def test_a_centre_sees_no_history_of_its_items(centre_app):
    from tests.apptest_helpers import open_page

    at = open_page(centre_app, "pages/centre/tracker_page.py")
    tick(at, "tracker_table", [0])
    assert not [f for f in at.dataframe if "Action" in f.value.columns]


def test_the_units_table_fits_a_laptop_screen_with_the_criteria_count_beside_the_name(as_role):
    import json

    at = as_role("team.demo", "pages/admin/reference_page.py")
    table = next(f for f in at.dataframe if "Criteria" in f.value.columns)
    assert list(table.proto.column_order)[:5] == ["Code", "Name", "Level", "Credits", "Criteria"]
    config = json.loads(table.proto.columns)
    # The name is the one wide column; the figures are narrow (at 1280 pixels nothing scrolls sideways).
    assert config["Name"]["width"] == "large"
    assert {config[name]["width"] for name in ("Code", "Level", "Credits", "Criteria")} == {"small"}
    guidance = table.value["Word-count guidance"]
    assert "None" not in set(guidance.astype(str)) and config["Word-count guidance"]["label"] == "Words"
