"""The monitoring assistant: tools generated from the panel catalog, a built-in answerer and an LLM answerer."""
