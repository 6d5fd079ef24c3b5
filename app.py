"""ILM Assessment Portal: open the database, sign the user in, route to the pages of their role."""

import streamlit as st

from lib.accounts.navigation import every_url_path, sections_for
from lib.ui import frame, session
from lib.ui.context import app_context
from lib.ui.signin import sign_in_page

st.set_page_config(page_title="ILM Assessment Portal", page_icon=":material/school:", layout="wide")

context = app_context()
user = session.current_user(context.db, context.cookie_key)

if user is None:
    def signing_in():
        sign_in_page(context.db, context.is_demo, context.cookie_key)

    # A page's own address (a bookmark, a link in an email) shows the sign-in form, then that page once signed in,
    # rather than "Page not found".
    # The default page's own path is the bare address; /sign-in is one more.
    pages = [st.Page(signing_in, title="Sign in", url_path="start", icon=":material/login:", default=True),
             *(st.Page(signing_in, title="Sign in", url_path=path, icon=":material/login:")
               for path in ["sign-in", *every_url_path()])]
    st.navigation(pages, position="hidden").run()
else:
    frame.sidebar(context.db, user, context.is_demo)
    sections = {title: [st.Page(spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path)
                        for spec in specs]
                for title, specs in sections_for(user.role, user.must_change_password, user.is_hei)}
    page = st.navigation(sections, expanded=True)
    frame.footer(user, page.title)
    page.run()
