-- Create a thread (?1 user, ?2 id, ?3 title, ?4 metadata JSON, ?5 now in ms); an existing row or tombstone is kept.
INSERT INTO agent_threads (user_id, id, title, metadata, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, CAST(?5 AS INTEGER), CAST(?5 AS INTEGER))
ON CONFLICT (user_id, id) DO NOTHING
RETURNING id
