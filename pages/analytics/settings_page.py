"""Settings: the numbers the service tunes (sampling, SLA warning, batch flags, EQA alerts) and the Guide to Fees."""

import streamlit as st

from lib.service.settings import all_settings, fees, update_fee, update_setting
from lib.ui.page import page_setup, run_action, show_notice

NOTICE = "settings_notice"

db, user = page_setup()
st.title("Settings")
show_notice(NOTICE)

st.subheader("Rules")
for row in all_settings(db).itertuples(index=False):
    name_col, value_col, save_col = st.columns([5, 1.5, 1], vertical_alignment="bottom")
    name_col.markdown(f"**{row.Title}**  \n{row.Meaning}")
    value = value_col.text_input("Value", row.Value, key=f"setting_{row.Setting}", label_visibility="collapsed")
    # Never disabled: a typed value reaches the page only when the box loses focus, which the click on Save
    # itself causes, so a button disabled until then would swallow that first click.
    if save_col.button("Save", key=f"setting_save_{row.Setting}"):
        if value == row.Value:
            st.toast(f"{row.Title} is already {value}: nothing to save.", icon=":material/info:")
        else:
            run_action(lambda key=row.Setting, value=value: update_setting(db, user, key, value), NOTICE,
                       f"{row.Title} is now {value}.")

st.subheader("Guide to Fees")
st.caption("The invoicing run prices each line from here at the time it runs; invoices already raised keep their "
           "amounts.")
for row in fees(db).itertuples(index=False):
    name_col, value_col, save_col = st.columns([5, 1.5, 1], vertical_alignment="bottom")
    name_col.markdown(f"**{row.Fee}**")
    amount = value_col.text_input("Amount £", f"{row[2]:.2f}", key=f"fee_{row.Code}", label_visibility="collapsed")
    if save_col.button("Save", key=f"fee_save_{row.Code}"):
        if amount == f"{row[2]:.2f}":
            st.toast(f"{row.Fee} is already £{amount}: nothing to save.", icon=":material/info:")
        else:
            run_action(lambda code=row.Code, amount=amount: update_fee(db, user, code, amount), NOTICE,
                       f"{row.Fee}: now £{amount}.")
