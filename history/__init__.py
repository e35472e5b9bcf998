"""history: the Conversations and History analytics pages' logic (queries, exports, the scoped SQL console)."""
