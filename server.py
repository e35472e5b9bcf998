"""What `make run` serves: the Streamlit app (`app.py`) plus the streamed export route, as one ASGI app.

    streamlit run server.py     # Streamlit finds `app` below and serves it with uvicorn (flags as for app.py)
    uvicorn server:app          # the same app under any ASGI server

`app.py` stays the script every session runs; this module is imported once per process.
"""

import streamlit as st

from history import download

app = st.App("app.py", routes=download.routes())
