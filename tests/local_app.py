"""A minimal chat page for the browser test of the local (localStorage) history component."""

import streamlit as st

from history.local import load_local_history, save_local_history

KEY = "browser-test"

history = load_local_history(KEY)
if history is None:
    st.caption("waiting for the browser")
    st.stop()
if "messages" not in st.session_state:
    st.session_state.messages = list(history)
question = st.chat_input("Ask")
if question:
    st.session_state.messages += [{"role": "user", "content": question},
                                  {"role": "assistant", "content": f"echo: {question}"}]
for message in st.session_state.messages:
    st.chat_message(message["role"]).write(message["content"])
st.caption(f"{len(st.session_state.messages)} messages kept in this browser")
error = save_local_history(KEY, st.session_state.messages)
if error:
    st.error(error)
