-- Removes the demo's Ordinary database (the server's warning about it stays until a restart, as on any server).
DROP DATABASE IF EXISTS demo_legacy SYNC
