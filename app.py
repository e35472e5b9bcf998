"""chmonitor's entry script: settings, the shared sidebar, navigation. No SQL here."""

from __future__ import annotations

import streamlit as st

from core.errors import ConfigError
from dashboard import auth, context, demo, frame

st.set_page_config(page_title="chmonitor", page_icon=":material/monitoring:", layout="wide")

try:
    settings = context.get_settings()
except ConfigError as exc:
    st.error(str(exc))
    st.stop()

if not auth.gate(settings):
    st.stop()

demo.start_at_launch(settings)
frame.sidebar(settings)
page = st.navigation(frame.navigation())
frame.sync_query_params(page)
page.run()
