"""Reference data: the qualifications and units the service assesses, with their word-count guidance."""

import pandas as pd
import streamlit as st

from lib.admin.reference import qualifications, save_qualification, save_unit, units
from lib.ui.page import page_setup, run_action, show_notice
from lib.ui.tables import blank_missing

NOTICE = "reference_notice"
NEW = "(a new one)"
db, user = page_setup()
st.title("Qualifications and units")
show_notice(NOTICE)
quals = qualifications(db, user)
unit_list = units(db, user)
qual_tab, unit_tab = st.tabs(["Qualifications", "Units"])

with qual_tab:
    st.dataframe(quals, hide_index=True, key="reference_qualifications", width="stretch")
    chosen = st.selectbox("Add or change", [NEW, *quals.Code], key="reference_qualification_choice")
    current = quals.set_index("Code").loc[chosen] if chosen != NEW else None
    with st.form(f"reference_qualification_{chosen}"):
        code_col, name_col, level_col = st.columns([1, 4, 1])
        code = code_col.text_input("Code", value="" if current is None else chosen, disabled=current is not None,
                                   key=f"reference_qualification_code_{chosen}", placeholder="8600-31")
        name = name_col.text_input("Name", value="" if current is None else current.Name,
                                   key=f"reference_qualification_name_{chosen}")
        level = level_col.number_input("Level", 1, 8, value=3 if current is None else int(current.Level),
                                       key=f"reference_qualification_level_{chosen}")
        assessed = st.checkbox("Assessed by the service", value=True if current is None else bool(current.Assessed),
                               key=f"reference_qualification_assessed_{chosen}",
                               help="A qualification no longer assessed stays for its history; imports refuse it.")
        if st.form_submit_button("Save qualification", type="primary", key=f"reference_qualification_save_{chosen}"):
            run_action(lambda: save_qualification(db, user, code, name, level, assessed), NOTICE,
                       f"Qualification {code} is saved.")

with unit_tab:
    # Narrow figures and a bounded name, so every column (the criteria count too) fits a 1280-pixel screen.
    st.dataframe(blank_missing(unit_list.drop(columns="criteria_text")), hide_index=True, key="reference_units",
                 width="stretch", column_order=("Code", "Name", "Level", "Credits", "Criteria", "Word-count guidance",
                                                "Qualifications"),
                 column_config={"Code": st.column_config.TextColumn(width="small"),
                                "Name": st.column_config.TextColumn(width="large"),
                                **{name: st.column_config.NumberColumn(width="small")
                                   for name in ("Level", "Credits", "Criteria")},
                                # Text: a unit without guidance shows a blank, not a number column's "None".
                                "Word-count guidance": st.column_config.TextColumn(
                                    "Words", width="small", alignment="right", help="Word-count guidance"),
                                "Qualifications": st.column_config.TextColumn(width="medium")})
    chosen_unit = st.selectbox("Add or change", [NEW, *unit_list.Code], key="reference_unit_choice")
    unit = unit_list.set_index("Code").loc[chosen_unit] if chosen_unit != NEW else None
    with st.form(f"reference_unit_{chosen_unit}"):
        code_col, name_col = st.columns([1, 4])
        unit_code = code_col.text_input("Code", value="" if unit is None else chosen_unit, disabled=unit is not None,
                                        key=f"reference_unit_code_{chosen_unit}", placeholder="8600-301")
        unit_name = name_col.text_input("Name", value="" if unit is None else unit.Name,
                                        key=f"reference_unit_name_{chosen_unit}")
        level_col, credits_col, words_col = st.columns(3)
        unit_level = level_col.number_input("Level", 1, 8, value=3 if unit is None else int(unit.Level),
                                            key=f"reference_unit_level_{chosen_unit}")
        unit_credits = credits_col.number_input("Credits", 1, 200, value=1 if unit is None else int(unit.Credits),
                                                key=f"reference_unit_credits_{chosen_unit}")
        guidance = None if unit is None or pd.isna(unit["Word-count guidance"]) else int(unit["Word-count guidance"])
        words = words_col.number_input("Word-count guidance (empty: none)", 0, 100_000, value=guidance, step=500,
                                       key=f"reference_unit_words_{chosen_unit}")
        members = [] if unit is None or not isinstance(unit.Qualifications, str) else unit.Qualifications.split(", ")
        in_quals = st.multiselect("Belongs to", list(quals.Code), default=members,
                                  key=f"reference_unit_quals_{chosen_unit}")
        unit_criteria = st.text_area(
            "Assessment criteria, one per line: its number, then the criterion", height=180,
            value="" if unit is None else unit.criteria_text, key=f"reference_unit_criteria_{chosen_unit}",
            placeholder="1.1 Describe the role and responsibilities of a team leader",
            help="What assessors see beside the marking form. Empty: the criteria published for the unit, if any.")
        if st.form_submit_button("Save unit", type="primary", key=f"reference_unit_save_{chosen_unit}"):
            run_action(lambda: save_unit(db, user, unit_code, unit_name, unit_level, unit_credits, words, in_quals,
                                         unit_criteria),
                       NOTICE, f"Unit {unit_code} is saved.")
